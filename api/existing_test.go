package api_test

import (
	"net/http"
	"sync"
	"testing"

	"jaga"
)

// TestCreateExistingSubject: POST /v1/subjects refuses a subject that exists (409
// identifier_exists, audited, the subject named only to a role that may look it up),
// also under 40 concurrent identical creates, and stores a shared phone under another
// name with identity_conflict.
func TestCreateExistingSubject(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	svc := e.keys[jaga.RoleService]
	create := func(key, purpose string, fields map[string]any) *response {
		return e.do(t, call{method: "POST", path: "/v1/subjects", key: key, purpose: purpose, body: map[string]any{"fields": fields}})
	}

	t.Run("NIK", func(t *testing.T) {
		r := create(svc, jaga.PurposeServiceProvision, map[string]any{"full_name": "Ani Wulandari", "nik": sitiNIK, "email": "ani.w@contoh.co.id"})
		p := r.wantProblem(t, http.StatusConflict, jaga.ECONFLICT, "nik", "identifier_exists")
		if p.Subject != string(f.siti) {
			t.Errorf("subject %q, want %s: the service role may look subjects up by NIK", p.Subject, f.siti)
		}
		e.audited(t, r, jaga.ActionCreate, "error:conflict")
		// Support may not look subjects up by NIK: no subject named.
		r = create(e.keys[jaga.RoleSupport], jaga.PurposeServiceProvision, map[string]any{"full_name": "Ani Wulandari", "nik": sitiNIK, "email": "ani.w@contoh.co.id"})
		if p := r.wantProblem(t, http.StatusConflict, jaga.ECONFLICT, "nik", "identifier_exists"); p.Subject != "" {
			t.Errorf("support told the subject %q of a NIK it may not look up", p.Subject)
		}
		e.audited(t, r, jaga.ActionCreate, "error:conflict")
	})
	t.Run("SameNameEmail", func(t *testing.T) {
		r := create(svc, jaga.PurposeServiceProvision, map[string]any{"full_name": "budi  SANTOSO", "email": budiEmail})
		if p := r.wantProblem(t, http.StatusConflict, jaga.ECONFLICT, "email", "identifier_exists"); p.Subject != string(f.budi) {
			t.Errorf("subject %q, want %s", p.Subject, f.budi)
		}
	})
	t.Run("SharedPhoneOtherName", func(t *testing.T) {
		r := create(svc, jaga.PurposeServiceProvision, map[string]any{"full_name": "Ani Santoso", "phone": budiPhone})
		r.want(t, http.StatusCreated)
		var got struct {
			ID     string   `json:"id"`
			Review []string `json:"review"`
		}
		r.decode(t, &got)
		if len(got.Review) != 1 || got.Review[0] != "identity_conflict" {
			t.Errorf("review %v, want identity_conflict", got.Review)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		fields := map[string]any{"full_name": "Konkuren Test", "email": "konkuren@contoh.co.id"}
		statuses := make([]int, 40)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = create(svc, jaga.PurposeServiceProvision, fields).status
			}()
		}
		wg.Wait()
		n := map[int]int{}
		for _, s := range statuses {
			n[s]++
		}
		if n[http.StatusCreated] != 1 || n[http.StatusConflict] != 39 {
			t.Fatalf("statuses %v; want 1 × 201 and 39 × 409", n)
		}
		r := e.do(t, call{method: "POST", path: "/v1/subjects/lookup", key: svc, purpose: jaga.PurposeServiceProvision,
			body: map[string]string{"email": "konkuren@contoh.co.id"}}).want(t, http.StatusOK)
		var found struct {
			Subjects []record `json:"subjects"`
		}
		r.decode(t, &found)
		if len(found.Subjects) != 1 {
			t.Fatalf("look-up found %d subjects: %s", len(found.Subjects), r.body)
		}
	})
}
