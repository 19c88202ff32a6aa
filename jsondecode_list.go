package glrunners

import "reflect"

// decodeJSON is how the SDK decodes a 2xx body, a list or a single value.
// The differential tests hold it to encoding/json.
func decodeJSON(data []byte, out any) error {
	if p, ok := out.(*RunnerDetails); ok && reflect.ValueOf(p).Elem().IsZero() && scanRunnerDetails(data, p) {
		return nil
	}
	if t := reflect.TypeOf(out); t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Slice {
		return unmarshalList(data, out)
	}
	return unmarshalJSON(data, out)
}

// unmarshalList decodes a list page into out, a pointer to a slice. A page
// of runners, what a fleet walk decodes, goes to scanRunnerPage, which
// decodes GitLab's pages several times faster in a few allocations, and
// when it gives up (a body it does not understand completely) to
// runnerList, which allocates a few times per page instead of about six
// times per runner. Other lists take the plain path.
//
// A hook that drew the pointees of a page's nullable fields from blocks
// (jsonv2.WithUnmarshalers) cut as many allocations as runnerList but cost
// every value of the page a lookup, 23% more decoding time; runnerList's
// method is looked up once per type.
func unmarshalList(data []byte, out any) error {
	if p, ok := out.(*[]*Runner); ok {
		if len(*p) == 0 {
			if list, ok := scanRunnerPage(data, *p); ok {
				*p = list
				return nil
			}
		}
		return unmarshalJSON(data, (*runnerList)(p))
	}
	return unmarshalJSON(data, out)
}
