package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"jaga"
	"jaga/api"
	"jaga/gate"
	"jaga/policy"
	"jaga/seal"
	"jaga/sqlstore/postgres"
	"jaga/sqlstore/postgres/pgtest"
)

// BenchmarkLookupHTTPPostgres is BenchmarkLookupHTTP on PostgreSQL (the cluster of
// JAGA_TEST_POSTGRES_URL; scripts/bench postgres starts one), with one node and with
// two: each node is a gate with its own connection pool, committer and HTTP server, as
// a `jaga serve` process would be, sharing one database and one keys/ directory; the
// 32 clients send their look-ups to the nodes in turn. Every look-up commits its audit
// event, and the two nodes' appends queue on the store's audit lock.
//
//	./scripts/pg run go test -run xxx -bench LookupHTTPPostgres -benchtime 10s ./api/
func BenchmarkLookupHTTPPostgres(b *testing.B) {
	for _, nodes := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			const clients, subjects = 32, 1000
			url := pgtest.NewDatabase(b)
			dir := b.TempDir()
			ctx := context.Background()
			var (
				gates []*gate.Gate
				urls  []string
			)
			for range nodes {
				keys, err := seal.Open(filepath.Join(dir, "keys"))
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { keys.Close() })
				st, err := postgres.Open(ctx, url, postgres.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { st.Close() })
				g, err := gate.New(gate.Config{Store: st, Keys: keys, Policy: policy.Default()})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { g.Close() })
				srv := httptest.NewServer(api.New(g, api.Options{}))
				b.Cleanup(srv.Close)
				gates, urls = append(gates, g), append(urls, srv.URL)
			}
			svc, _, err := gates[0].CreateActor(ctx, gate.Request{}, "bench service", jaga.RoleService)
			if err != nil {
				b.Fatal(err)
			}
			_, supportKey, err := gates[0].CreateActor(ctx, gate.Request{}, "bench support", jaga.RoleSupport)
			if err != nil {
				b.Fatal(err)
			}
			rows, bodies := benchRows(subjects)
			res, err := gates[0].ImportSubjects(ctx, gate.Request{Actor: svc, Purpose: jaga.PurposeServiceProvision}, rows)
			if err != nil || res.Created != subjects {
				b.Fatalf("seed: %v %+v", err, res)
			}
			lookupLoad(b, urls, supportKey, clients, bodies)
		})
	}
}
