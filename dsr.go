package jaga

import "time"

// RoleSubject is the role of a data subject acting for themself in the privacy portal.
// It is not one of DefaultRoles: no staff or service actor is ever created with it.
// The default policy lets it use purpose dsr only, and the gate lets a subject actor
// touch only its own subject.
const RoleSubject Role = "subject"

// SubjectActor returns the actor of subject id acting in the privacy portal: its ID is
// the subject ID itself, so that the gate can check that a subject reads only its own
// data and the audit log names who acted (DESIGN.md vocabulary "actor").
func SubjectActor(id SubjectID) *Actor {
	return &Actor{ID: string(id), Name: "subject", Kind: ActorSubject, Role: RoleSubject}
}

// DSRType is the kind of a data-subject request (UU PDP Arts 6-13; DESIGN.md "DSR").
type DSRType string

// The request types: access (Art 7, R-16), rectify (Art 6, R-18), erase (Art 8, R-19),
// withdraw consent (Art 9, R-10), restrict (Art 11, R-21), object to automated
// decisions (Art 10, R-22) and port (Art 13, R-23).
const (
	DSRAccess   DSRType = "access"
	DSRRectify  DSRType = "rectify"
	DSRErase    DSRType = "erase"
	DSRWithdraw DSRType = "withdraw"
	DSRRestrict DSRType = "restrict"
	DSRObject   DSRType = "object"
	DSRPort     DSRType = "port"
)

// DSRTypes lists every DSRType.
var DSRTypes = []DSRType{DSRAccess, DSRRectify, DSRErase, DSRWithdraw, DSRRestrict, DSRObject, DSRPort}

// Valid reports whether t is one of DSRTypes.
func (t DSRType) Valid() bool {
	for _, v := range DSRTypes {
		if t == v {
			return true
		}
	}
	return false
}

// DSRChannel is how a request reached the controller (UU PDP Art 14, R-15: electronic or
// not, one register for all).
type DSRChannel string

// The request channels.
const (
	DSRChannelPortal       DSRChannel = "portal"
	DSRChannelEmail        DSRChannel = "email"
	DSRChannelPhone        DSRChannel = "phone"
	DSRChannelStoreCounter DSRChannel = "store_counter"
	DSRChannelAPI          DSRChannel = "api"
)

// Valid reports whether c is a known request channel.
func (c DSRChannel) Valid() bool {
	switch c {
	case DSRChannelPortal, DSRChannelEmail, DSRChannelPhone, DSRChannelStoreCounter, DSRChannelAPI:
		return true
	}
	return false
}

// DSRStatus is where a request stands.
type DSRStatus string

// Request statuses. Received, InProgress and AwaitingApproval are open (the clock
// runs); Fulfilled, Refused, Scheduled and Closed are closed (Scheduled: an erasure
// inside the retention floor, restricted now and deleted at ScheduledAt, R-42; Closed:
// the subject was erased while the request was open).
const (
	DSRReceived         DSRStatus = "received"
	DSRAwaitingApproval DSRStatus = "awaiting_approval"
	DSRFulfilled        DSRStatus = "fulfilled"
	DSRRefused          DSRStatus = "refused"
	DSRScheduled        DSRStatus = "scheduled"
	// DSRClosed: closed without action because the subject's data was erased (by
	// another request, or by the DPO), so nothing is left to correct, restrict or
	// export (UU PDP Art 8, Arts 43-44, R-19); Outcome says so and names the erasure.
	DSRClosed DSRStatus = "closed"
)

// Open reports whether the request's clock still runs.
func (s DSRStatus) Open() bool { return s == DSRReceived || s == DSRAwaitingApproval }

// DSR is one data-subject request as the register keeps it: ID ("dsr_" + 32 hex
// digits of a UUIDv7), subject, type, channel, receipt and due times (UTC), whether the
// deadline is statutory (3×24 h, UU PDP Arts 30, 32, 40, 41) or the company's own
// target, status, who handled and who approved it, the refusal reason code (Art 15 /
// Art 33), Detail (non-personal parameters: the purpose withdrawn, the fields to
// correct), Outcome (what was done, and any data kept with its basis, R-19, R-20).
// Sealed holds the request's personal parameters (the new values of a correction, the
// address the completion notice goes to) under a per-request key whose wrapped form is
// SealedKey; both are cleared once the notice is sent, destroying the key.
type DSR struct {
	ID           string            `json:"id"`
	Subject      SubjectID         `json:"subject"`
	Type         DSRType           `json:"type"`
	Channel      DSRChannel        `json:"channel"`
	Status       DSRStatus         `json:"status"`
	Statutory    bool              `json:"statutory"`
	ReceivedAt   time.Time         `json:"received_at"`
	DueAt        time.Time         `json:"due_at"`
	Handler      string            `json:"handler,omitempty"`
	Approver     string            `json:"approver,omitempty"`
	RefusalCode  string            `json:"refusal_code,omitempty"`
	Detail       map[string]string `json:"detail,omitempty"`
	Outcome      string            `json:"outcome,omitempty"`
	ScheduledAt  time.Time         `json:"scheduled_at,omitzero"`
	ClosedAt     time.Time         `json:"closed_at,omitzero"`
	NoticeSentAt time.Time         `json:"notice_sent_at,omitzero"`
	Sealed       []byte            `json:"-"`
	SealedKey    []byte            `json:"-"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// DSRFilter selects requests: by subject, by type, by status (Open for every open status), with
// DueBefore for requests due before a time, at most Limit (default 100, at most 1000),
// ordered by due time.
type DSRFilter struct {
	Subject   SubjectID
	Type      DSRType
	Status    DSRStatus
	Open      bool
	DueBefore time.Time
	Limit     int
}

// LegalHold keeps a subject's data beyond an erasure request (UU PDP Art 43(2)-(3),
// the lawful basis (a short snake_case name such as "tax_records"), a reference
// (case or ticket number, never a personal value), who placed it, when, and until
// when (zero: until released).
type LegalHold struct {
	ID       int64     `json:"id"`
	Subject  SubjectID `json:"subject"`
	Basis    string    `json:"basis"`
	Ref      string    `json:"ref"`
	PlacedBy string    `json:"placed_by"`
	PlacedAt time.Time `json:"placed_at"`
	Until    time.Time `json:"until,omitzero"`
}

// LoginCode is one sign-in challenge of the privacy portal: a random ID, the subject
// it signs in (empty when the address given is not a customer's, so that both cases
// do the same work), a keyed MAC of the code (never the code), its expiry, the wrong
// attempts so far and whether it was used.
type LoginCode struct {
	ID        string
	Subject   SubjectID
	CodeMAC   []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	Attempts  int
	Used      bool
}
