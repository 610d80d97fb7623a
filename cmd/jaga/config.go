package main

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"jaga"
	"jaga/gate"
	"jaga/sqlstore/postgres"
)

// config is the vault's configuration: defaults, then the file <dir>/jaga.yaml (or
// --config), then JAGA_* environment variables (STYLE.md rule 8).
type config struct {
	Addr       string           `yaml:"addr"`        // JAGA_ADDR; default 127.0.0.1:8080
	PolicyFile string           `yaml:"policy_file"` // JAGA_POLICY_FILE; default: the built-in policy
	LogLevel   string           `yaml:"log_level"`   // JAGA_LOG_LEVEL: debug, info, warn, error
	KeyReload  time.Duration    `yaml:"key_reload"`  // JAGA_KEY_RELOAD: how often serve re-reads keys/ (default 2s)
	Fields     []jaga.FieldSpec `yaml:"fields"`      // the company's own fields and attributes, added to the default schema

	// Privacy portal and request desk (issue 6).
	SMTPHost       string        `yaml:"smtp_host"`       // JAGA_SMTP_HOST; empty: log-only mailer (codes and notices are not sent)
	SMTPPort       int           `yaml:"smtp_port"`       // JAGA_SMTP_PORT; default 587
	SMTPFrom       string        `yaml:"smtp_from"`       // JAGA_SMTP_FROM; sender of codes and notices
	SMTPUser       string        `yaml:"smtp_user"`       // JAGA_SMTP_USER; PLAIN auth over TLS when set
	SMTPPassword   string        `yaml:"-"`               // JAGA_SMTP_PASSWORD or JAGA_SMTP_PASSWORD_FILE
	TextURL        string        `yaml:"text_url"`        // JAGA_TEXT_URL: SMS/WhatsApp provider endpoint (JSON POST); empty: none
	TextToken      string        `yaml:"-"`               // JAGA_TEXT_TOKEN or JAGA_TEXT_TOKEN_FILE
	TextChannel    string        `yaml:"text_channel"`    // sms or whatsapp (default sms)
	PortalURL      string        `yaml:"portal_url"`      // JAGA_PORTAL_URL: public base URL of the portal (default http://ADDR)
	RetentionFloor time.Duration `yaml:"retention_floor"` // JAGA_RETENTION_FLOOR: minimum retention; default none
	DSRTarget      time.Duration `yaml:"dsr_target"`      // JAGA_DSR_TARGET: company deadline for erase, object, port (default 72h)
	// Database is empty for SQLite in DIR/data, or a postgres:// URL or libpq key/value
	// string (several nodes on one PostgreSQL; docs/postgres.md). JAGA_DATABASE_URL, or
	// JAGA_DATABASE_URL_FILE naming a file of mode 0600 that holds it (the URL may carry
	// a password), or --db. Set in jaga.yaml, that file must be mode 0600 too.
	Database string `yaml:"database"`
	// DatabaseMaxConns is the PostgreSQL pool size of this node (JAGA_DATABASE_MAX_CONNS;
	// 0: max(8, 4×cores)).
	DatabaseMaxConns int `yaml:"database_max_conns"`
	// PublicURL is the public base URL of the intake forms' confirmation links (JAGA_PUBLIC_URL;
	// default http://ADDR).
	PublicURL string `yaml:"public_url"`
	// Audit configures the audit log's checkpoints and witnesses.
	Audit auditConfig `yaml:"audit"`
	// Controller names the company in privacy notices and consent receipts (UU PDP Art
	// 21(1), R-12; DPO contact R-44): JAGA_CONTROLLER_NAME, _ADDRESS, _CONTACT,
	// _DPO_CONTACT. Unset, notices and receipts carry neutral placeholders.
	Controller controllerConfig `yaml:"controller"`
}

// auditConfig configures the audit log's checkpoints and witnesses (issue 5).
type auditConfig struct {
	CheckpointEvery    int64         `yaml:"checkpoint_every"`    // JAGA_AUDIT_CHECKPOINT_EVERY: most events between checkpoints (default 1000)
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"` // JAGA_AUDIT_CHECKPOINT_INTERVAL: checkpoint and witness period (default 10s)
	WitnessFile        string        `yaml:"witness_file"`        // JAGA_AUDIT_WITNESS_FILE: a file outside data/ that holds the latest checkpoint
	WitnessURL         string        `yaml:"witness_url"`         // JAGA_AUDIT_WITNESS_URL: an HTTP endpoint each new checkpoint is POSTed to
}

// controllerConfig is the controller: block of jaga.yaml.
type controllerConfig struct {
	Name       string `yaml:"name"`        // legal name, e.g. "PT Contoh Sejahtera Tbk"
	Address    string `yaml:"address"`     // postal address
	Contact    string `yaml:"contact"`     // privacy contact (e-mail or URL)
	DPOContact string `yaml:"dpo_contact"` // the data protection officer's contact
}

// gate returns the controller as the gate takes it.
func (c controllerConfig) gate() gate.Controller {
	return gate.Controller{Name: c.Name, Address: c.Address, Contact: c.Contact, DPOContact: c.DPOContact}
}

// validate names the first bad controller setting: a name is needed once any is set,
// and each is one line of at most 200 bytes.
func (c controllerConfig) validate() error {
	set := false
	for _, f := range []struct{ name, v string }{{"name", c.Name}, {"address", c.Address}, {"contact", c.Contact}, {"dpo_contact", c.DPOContact}} {
		if len(f.v) > 200 || strings.ContainsAny(f.v, "\r\n\t") || !utf8.ValidString(f.v) {
			return fmt.Errorf("config: controller.%s must be one line of at most 200 bytes", f.name)
		}
		set = set || f.v != ""
	}
	if set && strings.TrimSpace(c.Name) == "" {
		return fmt.Errorf("config: controller.name is required when another controller setting is given")
	}
	return nil
}

func defaultConfig() config {
	return config{Addr: "127.0.0.1:8080", LogLevel: "info", KeyReload: 2 * time.Second, SMTPPort: 587, SMTPFrom: "privasi@localhost",
		TextChannel: "sms", DSRTarget: 72 * time.Hour, Audit: auditConfig{CheckpointEvery: 1000, CheckpointInterval: 10 * time.Second}}
}

// loadConfig reads path (if it exists; an explicit path must exist) over the defaults,
// then the environment, and validates. getenv cannot tell an empty variable from an
// unset one; the CLI itself uses loadConfigEnv.
func loadConfig(path string, explicit bool, getenv func(string) string) (config, error) {
	return loadConfigEnv(path, explicit, lookupFrom(getenv))
}

// loadConfigEnv is loadConfig with an environment that tells "" from unset: an empty
// JAGA_DATABASE_URL or JAGA_DATABASE_URL_FILE is refused (databaseURLEnv); every other
// empty variable counts as unset.
func loadConfigEnv(path string, explicit bool, lookup envLookup) (config, error) {
	getenv := getenvOf(lookup)
	c := defaultConfig()
	b, err := os.ReadFile(path)
	if err == nil {
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			return c, configError(path, b, err)
		}
		if c.Database != "" {
			// The database URL may carry a password: the file must be kept as keys/ is.
			fi, err := os.Stat(path)
			if err == nil {
				err = checkPrivate(path+" (it sets database:)", path, fi, "a config file")
			}
			if err != nil {
				return c, fmt.Errorf("config: %w", err)
			}
		}
	} else if explicit || !os.IsNotExist(err) {
		return c, fmt.Errorf("config: %w", err)
	}
	if v := getenv("JAGA_ADDR"); v != "" {
		c.Addr = v
	}
	if v := getenv("JAGA_POLICY_FILE"); v != "" {
		c.PolicyFile = v
	}
	if v := getenv("JAGA_LOG_LEVEL"); v != "" {
		c.LogLevel = v
	}
	for _, e := range []struct {
		name string
		dst  *string
	}{{"JAGA_PUBLIC_URL", &c.PublicURL}, {"JAGA_CONTROLLER_NAME", &c.Controller.Name}, {"JAGA_CONTROLLER_ADDRESS", &c.Controller.Address},
		{"JAGA_CONTROLLER_CONTACT", &c.Controller.Contact}, {"JAGA_CONTROLLER_DPO_CONTACT", &c.Controller.DPOContact}} {
		if v := getenv(e.name); v != "" {
			*e.dst = v
		}
	}
	if v := getenv("JAGA_KEY_RELOAD"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("config: JAGA_KEY_RELOAD: %w", err)
		}
		c.KeyReload = d
	}
	if err := c.portalEnv(getenv); err != nil {
		return c, err
	}
	if err := databaseEnv(&c, lookup); err != nil {
		return c, err
	}
	if v := getenv("JAGA_AUDIT_CHECKPOINT_EVERY"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return c, fmt.Errorf("config: JAGA_AUDIT_CHECKPOINT_EVERY: %w", err)
		}
		c.Audit.CheckpointEvery = n
	}
	if v := getenv("JAGA_AUDIT_CHECKPOINT_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("config: JAGA_AUDIT_CHECKPOINT_INTERVAL: %w", err)
		}
		c.Audit.CheckpointInterval = d
	}
	if v := getenv("JAGA_AUDIT_WITNESS_FILE"); v != "" {
		c.Audit.WitnessFile = v
	}
	if v := getenv("JAGA_AUDIT_WITNESS_URL"); v != "" {
		c.Audit.WitnessURL = v
	}
	if err := c.Validate(); err != nil {
		if fe, ok := err.(fieldsError); ok && b != nil {
			return c, fe.at(path, b)
		}
		return c, err
	}
	return c, nil
}

// portalEnv reads the portal and desk settings from the environment; secrets may come
// from a file named by *_FILE (STYLE.md rule 8).
func (c *config) portalEnv(getenv func(string) string) error {
	str := map[string]*string{"JAGA_SMTP_HOST": &c.SMTPHost, "JAGA_SMTP_FROM": &c.SMTPFrom, "JAGA_SMTP_USER": &c.SMTPUser,
		"JAGA_TEXT_URL": &c.TextURL, "JAGA_PORTAL_URL": &c.PortalURL}
	for k, p := range str {
		if v := getenv(k); v != "" {
			*p = v
		}
	}
	for k, p := range map[string]*string{"JAGA_SMTP_PASSWORD": &c.SMTPPassword, "JAGA_TEXT_TOKEN": &c.TextToken} {
		if v := getenv(k); v != "" {
			*p = v
		} else if f := getenv(k + "_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("config: %s_FILE: %w", k, err)
			}
			*p = strings.TrimSpace(string(b))
		}
	}
	if v := getenv("JAGA_SMTP_PORT"); v != "" {
		if _, err := fmt.Sscan(v, &c.SMTPPort); err != nil {
			return fmt.Errorf("config: JAGA_SMTP_PORT: not a number")
		}
	}
	for k, p := range map[string]*time.Duration{"JAGA_RETENTION_FLOOR": &c.RetentionFloor, "JAGA_DSR_TARGET": &c.DSRTarget} {
		if v := getenv(k); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("config: %s: %w", k, err)
			}
			*p = d
		}
	}
	return nil
}

// maxDatabaseFile bounds what JAGA_DATABASE_URL_FILE reads: a connection string is far
// shorter, and a wrong file must not be read whole.
const maxDatabaseFile = 64 << 10

// readDatabaseFile returns the content of path, the file JAGA_DATABASE_URL_FILE names,
// trimmed. A file that group or others may read or write is refused with the chmod
// that fixes it (openPrivate, as --key-file), and so is an empty one (or one of only
// white space): falling back to SQLite in DIR/data would make a node that shares keys/
// with the others but not their database. Errors name the variable and the file,
// never the content.
func readDatabaseFile(path string) (string, error) {
	const setting = "JAGA_DATABASE_URL_FILE"
	f, err := openPrivate("config: "+setting, path, "a file holding the database URL")
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxDatabaseFile+1))
	if err != nil {
		return "", fmt.Errorf("config: %s %s: %w", setting, path, err)
	}
	if len(b) > maxDatabaseFile {
		return "", fmt.Errorf("config: %s %s is over %d KiB: not a database URL", setting, path, maxDatabaseFile>>10)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", withHint(fmt.Errorf("config: %s %s is empty", setting, path),
			"write the database URL (postgres://…) or key/value string into the file, or unset "+setting+" to use SQLite in DIR/data")
	}
	return v, nil
}

// databaseEnv applies JAGA_DATABASE_URL (or JAGA_DATABASE_URL_FILE; databaseURLEnv)
// and JAGA_DATABASE_MAX_CONNS.
func databaseEnv(c *config, lookup envLookup) error {
	v, err := databaseURLEnv(lookup)
	if err != nil {
		return err
	}
	if v != "" {
		c.Database = v
	}
	if v, _ := lookup("JAGA_DATABASE_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("config: JAGA_DATABASE_MAX_CONNS must be a whole number")
		}
		c.DatabaseMaxConns = n
	}
	return nil
}

// Validate names the first bad setting.
func (c config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("config: addr: %w", err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: log_level must be debug, info, warn or error")
	}
	if c.SMTPPort <= 0 || c.SMTPPort > 65535 {
		return fmt.Errorf("config: smtp_port must be 1-65535")
	}
	if c.SMTPHost != "" && !strings.Contains(c.SMTPFrom, "@") {
		return fmt.Errorf("config: smtp_from must be an e-mail address")
	}
	if c.TextChannel != "sms" && c.TextChannel != "whatsapp" {
		return fmt.Errorf("config: text_channel must be sms or whatsapp")
	}
	if c.RetentionFloor < 0 {
		return fmt.Errorf("config: retention_floor must not be negative")
	}
	if c.DSRTarget <= 0 {
		return fmt.Errorf("config: dsr_target must be positive")
	}
	if c.KeyReload <= 0 {
		return fmt.Errorf("config: key_reload must be positive")
	}
	if c.Database != "" && !postgres.IsConnString(c.Database) {
		// Never echo the setting: a URL may carry a password (ConnStringProblem names a
		// scheme or a key, never a value).
		return withHint(fmt.Errorf("config: database (--db, JAGA_DATABASE_URL or database: in the config file): %s", postgres.ConnStringProblem(c.Database)),
			"give a postgres:// or postgresql:// URL or a key/value string such as 'host=db.internal dbname=jaga'; for SQLite in DIR/data leave all three unset")
	}
	if c.DatabaseMaxConns < 0 {
		return fmt.Errorf("config: database_max_conns must not be negative")
	}
	if c.PolicyFile != "" {
		if _, err := os.Stat(c.PolicyFile); err != nil {
			return fmt.Errorf("config: policy_file: %w", err)
		}
	}
	if c.Audit.CheckpointEvery <= 0 {
		return fmt.Errorf("config: audit.checkpoint_every must be positive")
	}
	if c.Audit.CheckpointInterval <= 0 {
		return fmt.Errorf("config: audit.checkpoint_interval must be positive")
	}
	for _, u := range []struct{ setting, env, v string }{{"portal_url", "JAGA_PORTAL_URL", c.PortalURL}, {"public_url", "JAGA_PUBLIC_URL", c.PublicURL}} {
		if u.v != "" && !absoluteHTTP(u.v) {
			return fmt.Errorf("config: %s (%s) must be an absolute http or https URL, such as https://privasi.example.co.id", u.setting, u.env)
		}
	}
	if u := c.Audit.WitnessURL; u != "" && !absoluteHTTP(u) {
		return fmt.Errorf("config: audit.witness_url must be an http or https URL")
	}
	if err := c.Controller.validate(); err != nil {
		return err
	}
	if _, err := jaga.DefaultSchema().Extend(c.Fields); err != nil {
		if je := jaga.AsError(err); je != nil {
			return fieldsError{field: je.Field, msg: je.Message}
		}
		return fmt.Errorf("config: fields: %w", err)
	}
	return nil
}

func configPath(dir, flag string) (string, bool) {
	if flag != "" {
		return flag, true
	}
	return filepath.Join(dir, "jaga.yaml"), false
}

// absoluteHTTP reports whether s is an absolute http or https URL with a host: the
// base of the links Jaga mails and of the addresses it prints.
func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
}
