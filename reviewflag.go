package jaga

import (
	"strings"
	"time"
)

// ReviewResolution is how staff closed a review flag (a closed set, so that a report
// can count outcomes and no free text hides in it):
//
//   - accepted: the data is right as stored (two subjects sharing an e-mail are two
//     people; a landline kept unverified is the customer's number);
//   - corrected: staff changed the data or the consent (a quarantine fix, an unmerge, a
//     correction, a new consent with valid evidence), UU PDP Art 29;
//   - dismissed: the flag does not apply (raised in error, or the subject was erased).
type ReviewResolution string

// The review resolutions.
const (
	ResolutionAccepted  ReviewResolution = "accepted"
	ResolutionCorrected ReviewResolution = "corrected"
	ResolutionDismissed ReviewResolution = "dismissed"
)

// ReviewResolutions lists the valid resolutions in a stable order.
var ReviewResolutions = []ReviewResolution{ResolutionAccepted, ResolutionCorrected, ResolutionDismissed}

// Valid reports whether r is one of ReviewResolutions.
func (r ReviewResolution) Valid() bool {
	for _, v := range ReviewResolutions {
		if r == v {
			return true
		}
	}
	return false
}

// ReviewResolutionNames returns the valid resolutions as "accepted, corrected, dismissed",
// for error messages.
func ReviewResolutionNames() string {
	s := make([]string, len(ReviewResolutions))
	for i, r := range ReviewResolutions {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// MaxReviewNote is the longest note a resolution may carry, in bytes.
const MaxReviewNote = 200

// Review flag states a ReviewFlagFilter selects.
const (
	ReviewFlagsOpen     = "open"
	ReviewFlagsResolved = "resolved"
	ReviewFlagsAll      = "all"
)

// ReviewFlagFilter selects review flags: State "open" ("" means open too), "resolved"
// or "all"; of one subject when Subject is set; of one reason code when Reason is set;
// with IDs above After, by ID, at most Limit (default 100, at most 1000).
type ReviewFlagFilter struct {
	State   string
	Subject SubjectID
	Reason  string
	After   int64
	Limit   int
}

// ReviewFlagResolution is what resolving a flag stores: when, by which actor ID, the
// resolution and an optional note (at most MaxReviewNote bytes, no personal data).
type ReviewFlagResolution struct {
	At         time.Time
	By         string
	Resolution ReviewResolution
	Note       string
}
