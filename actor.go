package jaga

import "time"

// Role is what an actor may do (DESIGN.md default roles; a policy file can change them).
type Role string

// The default roles.
const (
	RoleAdmin    Role = "admin"
	RoleDPO      Role = "dpo"
	RoleSupport  Role = "support"
	RoleMarketer Role = "marketer"
	RoleAnalyst  Role = "analyst"
	RoleAuditor  Role = "auditor"
	RoleService  Role = "service"
)

// DefaultRoles lists the default roles in a stable order.
var DefaultRoles = []Role{RoleAdmin, RoleDPO, RoleSupport, RoleMarketer, RoleAnalyst, RoleAuditor, RoleService}

// ActorKind distinguishes staff and service accounts from the subject acting in the portal.
type ActorKind string

// Actor kinds.
const (
	ActorStaff   ActorKind = "staff"
	ActorService ActorKind = "service"
	ActorSubject ActorKind = "subject"
	ActorSystem  ActorKind = "system"
)

// Actor is who acts: an ID ("act_" + 32 hex digits), a display name chosen by the
// controller (staff names are not customer data), a kind and a role. API keys are stored
// only as SHA-256 hashes (KeyHash, 32 bytes).
type Actor struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      ActorKind `json:"kind"`
	Role      Role      `json:"role"`
	KeyHash   []byte    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// SystemActor is the actor of Jaga's own jobs (start-up erasure replay, key re-wrap).
var SystemActor = Actor{ID: ActorIDSystem, Name: "jaga", Kind: ActorSystem, Role: RoleAdmin}

// The IDs of Jaga's own jobs: start-up work (SystemActor), the scheduled deletions and
// the request desk's scheduled erasures. They act with a role's rights (the desk and the
// deletions with the dpo's), but no person acts: a customer's access history names them
// as Jaga's automated jobs, not as the role (UU PDP Art 32, R-29; IsJob).
const (
	ActorIDSystem    = "act_system"
	ActorIDDeletions = "act_deletions"
	ActorIDDesk      = "act_desk"
)

// IsJob reports whether an audit event's actor ID is one of Jaga's own jobs
// (ActorIDSystem, ActorIDDeletions, ActorIDDesk).
func IsJob(actorID string) bool {
	return actorID == ActorIDSystem || actorID == ActorIDDeletions || actorID == ActorIDDesk
}
