package gate

import (
	"context"
	"time"

	"jaga"
)

// DemoNotices are the notice versions of the demo's notice registry with their
// in-force dates, as ../shared/data/intake/README.md names them, each from 00:00 WIB
// (jaga.WIB: the company is Indonesian); DemoDraftNotice was never approved.
var DemoNotices = []struct {
	Version string
	InForce time.Time
}{
	{"notice-id-v1", time.Date(2022, 1, 10, 0, 0, 0, 0, jaga.WIB)},
	{"notice-id-v2", time.Date(2023, 3, 1, 0, 0, 0, 0, jaga.WIB)},
	{"notice-id-v3", time.Date(2024, 10, 17, 0, 0, 0, 0, jaga.WIB)},
}

// DemoDraftNotice is the demo's draft notice version.
const DemoDraftNotice = "notice-id-v4-draft"

// SeedDemo prepares the demo's registry (and test fixtures'): notice-id-v1..v3 generated
// from the registry and approved with their in-force dates, notice-id-v4-draft as a
// draft, the DEMO DPIA of cross_selling and the DEMO balancing test of security, and
// both purposes activated. It is idempotent. The assessments are demo records that say
// so; a real vault records its own (jaga purposes assess).
func (g *Gate) SeedDemo(ctx context.Context) error {
	req := Request{Actor: &jaga.SystemActor, Purpose: jaga.PurposeSecurity}
	for _, n := range DemoNotices {
		if _, ok := g.Notice(n.Version); ok {
			continue
		}
		if _, err := g.GenerateNotice(ctx, req, n.Version); err != nil {
			return err
		}
		if _, err := g.ApproveNotice(ctx, req, n.Version, n.InForce); err != nil {
			return err
		}
	}
	if _, ok := g.Notice(DemoDraftNotice); !ok {
		if _, err := g.GenerateNotice(ctx, req, DemoDraftNotice); err != nil {
			return err
		}
	}
	assess := []struct{ purpose, kind, ref, summary string }{
		{jaga.PurposeCrossSelling, AssessmentDPIA, "DEMO-DPIA-CROSS-SELLING",
			"Demo DPIA: profiling on purchases and attributes at scale; mitigations: consent per purpose, no contact details for marketers, sending only through Jaga, aggregates where possible."},
		{jaga.PurposeSecurity, AssessmentBalancingTest, "DEMO-LIA-SECURITY",
			"Demo balancing test: detecting misuse of customer data protects the customers; only audit metadata is processed; outweighs the minimal intrusion."},
	}
	for _, a := range assess {
		p, ok := g.Purpose(a.purpose)
		if !ok || p.Status == jaga.PurposeActive {
			continue
		}
		if _, err := g.RecordAssessment(ctx, req, a.purpose, a.kind, jaga.Assessment{Ref: a.ref, Summary: a.summary, Approved: true}); err != nil {
			return err
		}
		if _, err := g.SetPurposeStatus(ctx, req, a.purpose, jaga.PurposeActive); err != nil {
			return err
		}
	}
	return nil
}
