package glrunners

// TEMPORARY until types/pagination land.
type Secret string

func (s Secret) Reveal() string { return string(s) }
func parsePagination(r *Response) {}
