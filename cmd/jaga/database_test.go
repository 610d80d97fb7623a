package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"jaga"
	"jaga/sqlstore/postgres/pgtest"
)

// loadDB loads the config of a vault in dir with the environment vars and --db flag.
func loadDB(dir string, vars map[string]string, flag string, stderr io.Writer) (config, error) {
	e := &env{getenv: func(k string) string { return vars[k] }, stderr: stderr}
	_, c, err := (&vaultFlags{dir: dir, db: flag}).load(e)
	return c, err
}

// TestDatabaseFile: JAGA_DATABASE_URL_FILE naming an empty file, a file of only white
// space, or a file group or others may read is refused, naming the variable and the
// file, never the content (it would otherwise fall back to SQLite: a split-brain
// node); so is database: in a jaga.yaml others may read.
func TestDatabaseFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const secret = "postgres://jaga:s3cretPW@db.internal/jaga"
	for name, tc := range map[string]struct {
		path string
		want []string
	}{
		"Empty":      {write("empty", "", 0o600), []string{"JAGA_DATABASE_URL_FILE", "empty", "is empty"}},
		"WhiteSpace": {write("blank", " \n\t\n", 0o600), []string{"JAGA_DATABASE_URL_FILE", "blank", "is empty"}},
		"Mode0644":   {write("readable", secret+"\n", 0o644), []string{"JAGA_DATABASE_URL_FILE", "readable", "group or others", "mode 0644", "hint: chmod 600"}},
		"Mode0660":   {write("groupw", secret+"\n", 0o660), []string{"JAGA_DATABASE_URL_FILE", "groupw", "mode 0660", "hint: chmod 600"}},
		"Missing":    {filepath.Join(dir, "nofile"), []string{"JAGA_DATABASE_URL_FILE", "nofile"}},
		"Directory":  {dir, []string{"JAGA_DATABASE_URL_FILE", "is a directory"}},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := loadDB(t.TempDir(), map[string]string{"JAGA_DATABASE_URL_FILE": tc.path}, "", io.Discard)
			if err == nil {
				t.Fatalf("accepted; database %q", c.Database)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cretPW") {
				t.Errorf("error %q quotes the file", err)
			}
		})
	}
	t.Run("Mode0600", func(t *testing.T) {
		p := write("good", "\n  "+secret+"  \n", 0o600)
		c, err := loadDB(t.TempDir(), map[string]string{"JAGA_DATABASE_URL_FILE": p}, "", io.Discard)
		if err != nil || c.Database != secret {
			t.Fatalf("%v; database %q", err, c.Database)
		}
	})
	for _, mode := range []os.FileMode{0o644, 0o640, 0o600} {
		t.Run("YAML"+mode.String(), func(t *testing.T) {
			vdir := t.TempDir()
			if err := os.WriteFile(filepath.Join(vdir, "jaga.yaml"), []byte("database: "+secret+"\n"), mode); err != nil {
				t.Fatal(err)
			}
			os.Chmod(filepath.Join(vdir, "jaga.yaml"), mode)
			c, err := loadDB(vdir, nil, "", io.Discard)
			if mode == 0o600 {
				if err != nil || c.Database != secret {
					t.Fatalf("%v; database %q", err, c.Database)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "jaga.yaml") || !strings.Contains(err.Error(), "database:") ||
				!strings.Contains(err.Error(), "hint: chmod 600") || strings.Contains(err.Error(), "s3cretPW") {
				t.Fatalf("got %v; want a refusal naming jaga.yaml and database: with the chmod hint", err)
			}
		})
	}
	t.Run("YAMLWithoutDatabase0644", func(t *testing.T) {
		vdir := t.TempDir()
		if err := os.WriteFile(filepath.Join(vdir, "jaga.yaml"), []byte("log_level: warn\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := loadDB(vdir, nil, "", io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDatabaseKeyValue: --db takes a libpq URL or a key/value string; other strings are
// refused without being echoed; a password on the command line warns.
func TestDatabaseKeyValue(t *testing.T) {
	for _, s := range []string{
		"host=127.0.0.1 port=5432 dbname=jaga",
		"host=db.internal user=jaga password='a b\\'c' dbname=jaga sslmode=verify-full sslrootcert=/etc/ca.pem",
		"  dbname = jaga  ",
		"postgres://jaga@db/jaga",
		"postgresql:///jaga?host=/run/postgresql",
	} {
		if c, err := loadDB(t.TempDir(), nil, s, io.Discard); err != nil || c.Database != s {
			t.Errorf("--db %q: %v", s, err)
		}
	}
	for _, s := range []string{
		"mysql://jaga:Pw0rdX@db/jaga", "jaga Pw0rdX", "foo=Pw0rdX", "host", "host=db password='Pw0rdX",
		"=Pw0rdX", "host=db Pw0rdX", "/var/lib/jaga.db",
	} {
		_, err := loadDB(t.TempDir(), nil, s, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "key/value") || strings.Contains(err.Error(), "Pw0rdX") {
			t.Errorf("--db %q: got %v; want a refusal that does not echo it", s, err)
		}
	}
	for s, warns := range map[string]bool{
		"postgres://jaga:Pw0rdX@db/jaga":          true,
		"host=db password=Pw0rdX dbname=jaga":     true,
		"postgres://jaga@db/jaga":                 false,
		"host=db dbname=jaga sslmode=disable":     false,
		"postgres://jaga:@db/jaga?sslmode=foo":    true, // an empty password is still one
		"postgres://jaga@db/jaga?password=Pw0rdX": true, // as a query parameter
	} {
		var stderr strings.Builder
		if _, err := loadDB(t.TempDir(), nil, s, &stderr); err != nil {
			t.Errorf("--db %q: %v", s, err)
		}
		if got := strings.Contains(stderr.String(), "JAGA_DATABASE_URL_FILE"); got != warns || strings.Contains(stderr.String(), "Pw0rdX") {
			t.Errorf("--db %q: stderr %q; want a warning: %v", s, stderr.String(), warns)
		}
	}
}

// TestDatabaseConnectError: a server that cannot be reached is an error that names the
// step and the cause, on every command, and never the password; both forms of the
// connection string.
func TestDatabaseConnectError(t *testing.T) {
	for _, db := range []string{
		"postgres://jaga:s3cretPW@127.0.0.1:1/jaga?sslmode=disable&connect_timeout=2",
		"host=127.0.0.1 port=1 user=jaga password=s3cretPW dbname=jaga sslmode=disable connect_timeout=2",
	} {
		for _, args := range [][]string{{"actors", "list"}, {"audit", "verify"}, {"serve", "--addr", "127.0.0.1:0"}} {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "keys"), 0o700); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := run(t, append(args, "--dir", dir, "--db", db)...)
			if code != 1 || !strings.Contains(stderr, "jaga: error: connect to PostgreSQL (user jaga, database jaga): ") ||
				!strings.Contains(stderr, "127.0.0.1:1") || !strings.Contains(stderr, "connection refused") {
				t.Errorf("jaga %s --db %q: exit %d, stderr:\n%s", args[0], db, code, stderr)
			}
			if strings.Contains(stderr, "s3cretPW") {
				t.Errorf("jaga %s: the password is in stderr:\n%s", args[0], stderr)
			}
			if !strings.Contains(stderr, "jaga: warning: a database password given with --db") {
				t.Errorf("jaga %s: no warning about the password on the command line:\n%s", args[0], stderr)
			}
		}
	}
}

// TestDatabaseConnectErrorServer: the causes the server gives (a database that does not
// exist, a role that does not exist, TLS refused) are named, on a real PostgreSQL.
func TestDatabaseConnectErrorServer(t *testing.T) {
	base, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	with := func(user, db, sslmode string) string {
		u := *base
		u.User = url.UserPassword(user, "s3cretPW")
		u.Path = "/" + db
		q := u.Query()
		q.Set("sslmode", sslmode)
		q.Set("connect_timeout", "5")
		u.RawQuery = q.Encode()
		return u.String()
	}
	for _, tc := range []struct{ db, want string }{
		{with("jaga", "no_such_db", "disable"), `database "no_such_db" does not exist`},
		{with("nobody_here", "postgres", "disable"), `role "nobody_here" does not exist`},
		{with("jaga", "postgres", "require"), "server refused TLS"},
	} {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "keys"), 0o700); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run(t, "actors", "list", "--dir", dir, "--db", tc.db)
		if code != 1 || !strings.Contains(stderr, "jaga: error: connect to PostgreSQL (user ") || !strings.Contains(stderr, tc.want) {
			t.Errorf("exit %d; stderr does not name the cause %q:\n%s", code, tc.want, stderr)
		}
		if strings.Contains(stderr, "s3cretPW") {
			t.Errorf("the password is in stderr:\n%s", stderr)
		}
	}
}

// tcpProxy forwards connections from a loopback port to target until stopped; started
// again, it listens on the same port. It stands for the network between a node and its
// database: stopping it is the database going away.
type tcpProxy struct {
	target, addr string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func (p *tcpProxy) start(t *testing.T) {
	t.Helper()
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	for range 50 { // the port may linger briefly after stop
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	if p.conns == nil {
		p.conns = map[net.Conn]bool{}
	}
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *tcpProxy) forward(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close() }()
	io.Copy(c, s)
	c.Close()
}

// stop closes the listener and every forwarded connection.
func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// TestServeDatabaseDown: while PostgreSQL cannot be reached, /healthz is 503 (so a load
// balancer stops routing to the node) and API requests are 503 unavailable with
// Retry-After, not 500; once it is back, both are 200 again. The database "goes away"
// by a proxy between the node and the server being stopped (every connection cut, the
// port refused), as a server stopping or a network failing does.
func TestServeDatabaseDown(t *testing.T) {
	t.Parallel()
	dbURL, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := &tcpProxy{target: dbURL.Host}
	proxy.start(t)
	t.Cleanup(proxy.stop)
	dbURL.Host = proxy.addr
	bin := buildBinary(t)
	dir := t.TempDir()
	env := []string{"JAGA_DATABASE_URL=" + dbURL.String(), "JAGA_DIR=" + dir}
	code, out, stderr := runEnv(t, bin, env, "actors", "add", "--name", "shop web", "--role", "service")
	if code != 0 {
		t.Fatalf("actors add: %s", stderr)
	}
	svc := strings.TrimSpace(out)
	base := startJaga(t, bin, env, "serve", "--addr", "127.0.0.1:0")
	c := call(t, base, "POST", "/v1/subjects", svc, jaga.PurposeServiceProvision, `{"fields": {"full_name": "Rina Wijaya", "email": "rina@example.id"}, "channel": "api"}`)
	if c.status != 201 {
		t.Fatalf("create: %d %v", c.status, c.body)
	}
	path := "/v1/subjects/" + c.body["id"].(string)
	health := func() (int, string) {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if s, body := health(); s != 200 {
		t.Fatalf("healthz before: %d %q", s, body)
	}
	if c := call(t, base, "GET", path, svc, jaga.PurposeServiceProvision, ""); c.status != 200 {
		t.Fatalf("read before: %d %v", c.status, c.body)
	}

	proxy.stop()
	if s, body := health(); s != 503 || body != "database unavailable\n" {
		t.Errorf("healthz while the database is down: %d %q; want 503", s, body)
	}
	for _, r := range []struct{ method, path, body string }{
		{"GET", path, ""},
		{"POST", "/v1/subjects", `{"fields": {"full_name": "Budi Santoso"}, "channel": "api"}`},
	} {
		req, _ := http.NewRequest(r.method, base+r.path, strings.NewReader(r.body))
		req.Header.Set("Authorization", "Bearer "+svc)
		req.Header.Set("Jaga-Purpose", jaga.PurposeServiceProvision)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(bufio.NewReader(resp.Body))
		resp.Body.Close()
		if resp.StatusCode != 503 || !strings.Contains(string(b), `"type":"urn:jaga:problem:unavailable"`) || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s while the database is down: %d Retry-After %q %s; want 503 unavailable with Retry-After",
				r.method, r.path, resp.StatusCode, resp.Header.Get("Retry-After"), b)
		}
	}

	proxy.start(t)
	deadline := time.Now().Add(15 * time.Second)
	for {
		s, _ := health()
		c := call(t, base, "GET", path, svc, jaga.PurposeServiceProvision, "")
		if s == 200 && c.status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the database came back: healthz %d, read %d %v", s, c.status, c.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// runEnv runs the built binary with env added to the environment.
func runEnv(t *testing.T, bin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stdout.String(), stderr.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}
