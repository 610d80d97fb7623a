package gate

// DefaultNoticeStatus is the notice registry until the consent registry (a parallel
// issue) replaces it: notice-id-v1, -v2 and -v3 are approved, notice-id-v4-draft is a
// draft that was never approved (../shared/data/intake/README.md). It returns
// "approved", "draft" or "" for a version it does not know. The lead rewires
// Config.NoticeStatus to the registry at merge.
func DefaultNoticeStatus(version string) string {
	switch version {
	case "notice-id-v1", "notice-id-v2", "notice-id-v3":
		return "approved"
	case "notice-id-v4-draft":
		return "draft"
	}
	return ""
}
