package glrunners

import "reflect"

// decodeJSON is how the SDK decodes a 2xx body, a list or a single value.
// The differential tests hold it to encoding/json.
//
// A hook that drew the pointees of a page's nullable fields from blocks
// (jsonv2.WithUnmarshalers) cut a page's allocations by 41% but cost every
// value of the page a lookup, 23% more decoding time: the walk went from
// 0.51x to 0.66x client-go's time. Lists take the plain path.
func decodeJSON(data []byte, out any) error {
	if t := reflect.TypeOf(out); t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Slice {
		return unmarshalList(data, out)
	}
	return unmarshalJSON(data, out)
}

// unmarshalList decodes a list page into out, a pointer to a slice.
func unmarshalList(data []byte, out any) error { return unmarshalJSON(data, out) }
