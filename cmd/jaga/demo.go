package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/demodata"
	"jaga/gate"
	"jaga/importer"
)

func demoCmd(e *env) *cobra.Command {
	var dir, addr string
	c := &cobra.Command{
		Use:   "demo",
		Short: "Create (or reuse) a vault with the bundled customers and purchases, one actor per role, and serve it",
		Long: `demo imports the bundled customers_id.csv (2,240 customers; consents from their consent
columns) and purchases.csv (26,850 lines), creates one demo actor per role with its API key
in DIR/demo-keys.json, serves the API and prints curl examples. It ignores $JAGA_DIR;
without --dir it uses a fresh temporary directory. Given an existing vault it reuses it
and re-imports idempotently.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg := defaultConfig()
			cfg.Addr = addr
			cfg.Controller = demoController
			if err := cfg.Validate(); err != nil {
				return err
			}
			// Bind first: a busy port must fail before a vault is created and 29,000
			// rows are imported into it.
			ln, err := listen(addr)
			if err != nil {
				return err
			}
			defer ln.Close()
			if dir == "" {
				d, err := os.MkdirTemp("", "jaga-demo-")
				if err != nil {
					return err
				}
				dir = d
			}
			fmt.Fprintf(e.stderr, "jaga: demo vault in %s\n", dir)
			v, err := openVault(ctx, dir, cfg, e.stderr)
			if err != nil {
				return err
			}
			defer v.Close()
			if err := demoImport(ctx, e, v); err != nil {
				return err
			}
			if err := demoActors(ctx, v); err != nil {
				return err
			}
			keysPath := filepath.Join(dir, "demo-keys.json")
			return serveOn(ctx, e, v, ln, func(bound string) {
				printExamples(e, bound, keysPath)
			}, demoPeek(e.stderr))
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "vault directory (default: a fresh temporary directory)")
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address HOST:PORT (127.0.0.1:0 picks a free port)")
	return c
}

// demoController is the demo's controller in notices and receipts: plausible values
// that say they are a demo (example.co.id addresses are not a real company's).
var demoController = controllerConfig{
	Name:       "PT Toko Contoh Nusantara (DEMO, bukan perusahaan nyata / not a real company)",
	Address:    "Jl. Contoh Raya No. 1, Jakarta Pusat 10110 (alamat demo / demo address)",
	Contact:    "privasi@toko-contoh.example.co.id",
	DPOContact: "dpo@toko-contoh.example.co.id (DEMO)",
}

// demoImport seeds the demo's purpose registry and notices and imports the bundled files; the birth date is derived from the NIK and
// Year_Birth because the CRM export has no birth_date column.
func demoImport(ctx context.Context, e *env, v *vault) error {
	// The notices, assessments and activations first: the imported consents refer to
	// the notice versions (gate.SeedDemo).
	if err := v.gate.SeedDemo(ctx); err != nil {
		return fmt.Errorf("demo registry: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{demodata.CustomersName, demodata.CustomersCSV}, {demodata.PurchasesName, demodata.PurchasesCSV}} {
		rep, err := importer.Import(ctx, v.gate, f.name, bytes.NewReader(f.data), int64(len(f.data)),
			importer.Options{Actor: cliActor, DeriveBirthDate: true})
		if err != nil {
			return fmt.Errorf("demo import %s: %w", f.name, err)
		}
		printReport(e, rep, false, nil)
	}
	return nil
}

// demoActors creates one actor per default role, once, and keeps their keys in
// DIR/demo-keys.json (mode 0600) as {"<role>": "<key>"}, one key per line so that the
// printed sed commands can read it.
func demoActors(ctx context.Context, v *vault) error {
	path := filepath.Join(v.dir, "demo-keys.json")
	keys := map[string]string{}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &keys); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	changed := false
	for _, r := range jaga.DefaultRoles {
		if k, ok := keys[string(r)]; ok {
			if _, err := v.gate.Authenticate(ctx, k); err == nil {
				continue
			}
		}
		// Actor names are unique; a random suffix lets a re-created demo key coexist
		// with the lost one's actor.
		name := "demo " + string(r) + " " + strings.ToLower(rand.Text()[:6])
		_, key, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, name, r)
		if err != nil {
			return err
		}
		keys[string(r)] = key
		changed = true
	}
	if !changed {
		return nil
	}
	b, err := json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// printExamples prints ready-to-paste curl commands. They read the key from
// demo-keys.json and the e-mail from the bundled CSV, so that no key or personal value
// is printed here.
func printExamples(e *env, addr, keysPath string) {
	base := "http://" + addr
	key := func(role string) string {
		return fmt.Sprintf(`$(sed -n 's/.*"%s": "\([^"]*\)".*/\1/p' %s)`, role, keysPath)
	}
	fmt.Fprintf(e.stdout, `
Jaga demo is serving the bundled customers at %[1]s (keys in %[2]s).
Try, from the repository root:

  # look a customer up by e-mail as support (phone comes back masked)
  EMAIL=$(sed -n 2p demodata/customers_id.csv | cut -d, -f4)
  curl -s -w '\n%%{http_code}\n' %[1]s/v1/subjects/lookup -H "Authorization: Bearer %[3]s" \
    -H "Jaga-Purpose: customer_support" -H "Content-Type: application/json" -d "{\"email\": \"$EMAIL\"}"

  # the same without a purpose: 400; as a marketer: 403
  curl -s -w '\n%%{http_code}\n' %[1]s/v1/subjects/lookup -H "Authorization: Bearer %[3]s" \
    -H "Content-Type: application/json" -d "{\"email\": \"$EMAIL\"}"
  curl -s -w '\n%%{http_code}\n' %[1]s/v1/subjects/lookup -H "Authorization: Bearer %[4]s" \
    -H "Jaga-Purpose: customer_support" -H "Content-Type: application/json" -d "{\"email\": \"$EMAIL\"}"

  # the look-ups just made, as the auditor (every call leaves an event)
  curl -s "%[1]s/v1/audit?action=find&limit=5" -H "Authorization: Bearer %[5]s"

  # the privacy portal (sign in as a bundled customer; the demo prints the one-time code
  # here instead of mailing it): open %[1]s/privasi/ and enter
  sed -n 2p demodata/customers_id.csv | cut -d, -f4

  # the request desk (open requests, as the dpo)
  curl -s %[1]s/v1/dsr -H "Authorization: Bearer %[6]s"

  # the API description
  curl -s %[1]s/v1/openapi.yaml

`, base, keysPath, key("support"), key("marketer"), key("auditor"), key("dpo"))
}
