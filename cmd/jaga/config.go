package main

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"jaga"
)

// config is the vault's configuration: defaults, then the file <dir>/jaga.yaml (or
// --config), then JAGA_* environment variables (STYLE.md rule 8).
type config struct {
	Addr       string           `yaml:"addr"`        // JAGA_ADDR; default 127.0.0.1:8080
	PolicyFile string           `yaml:"policy_file"` // JAGA_POLICY_FILE; default: the built-in policy
	LogLevel   string           `yaml:"log_level"`   // JAGA_LOG_LEVEL: debug, info, warn, error
	KeyReload  time.Duration    `yaml:"key_reload"`  // JAGA_KEY_RELOAD: how often serve re-reads keys/ (default 2s)
	Fields     []jaga.FieldSpec `yaml:"fields"`      // the company's own fields and attributes, added to the default schema
	Audit      auditConfig      `yaml:"audit"`
}

// auditConfig configures the audit log's checkpoints and witnesses (issue 5).
type auditConfig struct {
	CheckpointEvery    int64         `yaml:"checkpoint_every"`    // JAGA_AUDIT_CHECKPOINT_EVERY: most events between checkpoints (default 1000)
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"` // JAGA_AUDIT_CHECKPOINT_INTERVAL: checkpoint and witness period (default 10s)
	WitnessFile        string        `yaml:"witness_file"`        // JAGA_AUDIT_WITNESS_FILE: a file outside data/ that holds the latest checkpoint
	WitnessURL         string        `yaml:"witness_url"`         // JAGA_AUDIT_WITNESS_URL: an HTTP endpoint each new checkpoint is POSTed to
}

func defaultConfig() config {
	return config{Addr: "127.0.0.1:8080", LogLevel: "info", KeyReload: 2 * time.Second,
		Audit: auditConfig{CheckpointEvery: 1000, CheckpointInterval: 10 * time.Second}}
}

// loadConfig reads path (if it exists; an explicit path must exist) over the defaults,
// then the environment, and validates.
func loadConfig(path string, explicit bool, getenv func(string) string) (config, error) {
	c := defaultConfig()
	if b, err := os.ReadFile(path); err == nil {
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
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
	if v := getenv("JAGA_KEY_RELOAD"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("config: JAGA_KEY_RELOAD: %w", err)
		}
		c.KeyReload = d
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
	return c, c.Validate()
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
	if c.KeyReload <= 0 {
		return fmt.Errorf("config: key_reload must be positive")
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
	if u := c.Audit.WitnessURL; u != "" {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("config: audit.witness_url must be an http or https URL")
		}
	}
	if _, err := jaga.DefaultSchema().Extend(c.Fields); err != nil {
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
