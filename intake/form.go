package intake

import (
	"maps"
	"net/http"
	"slices"
	"unicode/utf8"

	"jaga"
)

// errNotUTF8 is answered 400: a body, form name or form value that is not valid UTF-8
// is refused whole, never stored with U+FFFD in place of the bad bytes (invariant 5).
// The wording is that of api's JSON decoder.
var errNotUTF8 = jaga.Errorf(jaga.EINVALID, "the body is not valid UTF-8")

// parseForm reads a form-urlencoded or multipart/form-data body (media type ct) into
// r.PostForm; r.Body is already limited to maxBody bytes. A multipart body is held in
// memory only: the memory limit equals the body limit, so no part can spill to a
// temporary file, and any file part is refused (422 naming it) before a value is used.
// Errors: errBodyTooLarge (413), EINVALID (400) for an unreadable body or a name or
// value that is not valid UTF-8, EUNPROCESSABLE (422) for a file part.
func parseForm(r *http.Request, ct string) error {
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return readError(err)
		}
		// Nothing is on disk (see above); RemoveAll is the belt to those braces.
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		if names := slices.Sorted(maps.Keys(r.MultipartForm.File)); len(names) > 0 {
			return jaga.FieldError(names[0], "file uploads are not accepted")
		}
	} else if err := r.ParseForm(); err != nil {
		return readError(err)
	}
	for k, vs := range r.PostForm {
		if !utf8.ValidString(k) {
			return errNotUTF8
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return &jaga.Error{Code: jaga.EINVALID, Field: jaga.SafeName(k), Message: errNotUTF8.Message}
			}
		}
	}
	return nil
}
