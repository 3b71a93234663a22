// Package deploy holds no code: its tests check the files an operator deploys with —
// compose.yaml, deploy/Caddyfile and deploy/prometheus/ — as far as they can be checked
// without a container engine (docs/operations.md).
package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"forum/internal/config"
)

// composeFile is the part of the Compose specification compose.yaml uses. It is read
// strictly: a key not named here (a typo such as "healtcheck") fails the test; a key
// compose.yaml starts to use is added here after checking the specification.
type composeFile struct {
	Name     string             `yaml:"name"`
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
	Networks map[string]struct {
		IPAM struct {
			Config []struct {
				Subnet string `yaml:"subnet"`
			} `yaml:"config"`
		} `yaml:"ipam"`
	} `yaml:"networks"`
}

type service struct {
	Image       string            `yaml:"image"`
	Restart     string            `yaml:"restart"`
	ShmSize     string            `yaml:"shm_size"`
	Build       any               `yaml:"build"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Networks    any `yaml:"networks"` // a list, or a map with per-network settings
	Healthcheck *struct {
		Test        []string `yaml:"test"`
		Interval    string   `yaml:"interval"`
		Timeout     string   `yaml:"timeout"`
		Retries     int      `yaml:"retries"`
		StartPeriod string   `yaml:"start_period"`
	} `yaml:"healthcheck"`
}

// composeEnv is the .env a test operator would write (deploy/compose.env.example).
var composeEnv = map[string]string{
	"POSTGRES_PASSWORD": "correct-horse-battery",
	"FORUM_SESSION_KEY": strings.Repeat("ab", 32),
	"FORUM_DOMAIN":      "forum.example.org",
}

// loadCompose reads compose.yaml with the variables in env substituted as Compose does.
func loadCompose(t *testing.T, env map[string]string) composeFile {
	t.Helper()
	raw, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text, err := interpolate(string(raw), env)
	if err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	var f composeFile
	if err := yaml.UnmarshalWithOptions([]byte(text), &f, yaml.Strict()); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return f
}

var composeVar = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}`)

// interpolate substitutes ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error} and
// ${VAR?error} as the Compose specification describes, and $$ as a literal $.
func interpolate(s string, env map[string]string) (string, error) {
	var errs []error
	out := composeVar.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		g := composeVar.FindStringSubmatch(m)
		name, op, arg := g[1], g[2], g[3]
		v, set := env[name]
		empty := !set || (strings.HasPrefix(op, ":") && v == "")
		switch {
		case op == "":
			return v
		case strings.HasSuffix(op, "-") && empty:
			return arg
		case strings.HasSuffix(op, "?") && empty:
			errs = append(errs, fmt.Errorf("required variable %s is missing: %s", name, arg))
		}
		return v
	})
	return out, errors.Join(errs...)
}

func TestComposeFile(t *testing.T) {
	f := loadCompose(t, composeEnv)

	t.Run("Services", func(t *testing.T) {
		var names []string
		for n := range f.Services {
			names = append(names, n)
		}
		slices.Sort(names)
		if want := []string{"caddy", "db", "forum-a", "forum-b"}; !slices.Equal(names, want) {
			t.Fatalf("services %v, want %v", names, want)
		}
		if img := f.Services["db"].Image; !strings.HasPrefix(img, "postgres:15") {
			t.Errorf("db image %q, want PostgreSQL 15 (the version the tests run)", img)
		}
		for _, n := range []string{"forum-a", "forum-b"} {
			s := f.Services[n]
			if s.Build != "." {
				t.Errorf("%s builds %v, want the Dockerfile at the top (build: .)", n, s.Build)
			}
			if s.DependsOn["db"].Condition != "service_healthy" {
				t.Errorf("%s does not wait for a healthy database", n)
			}
		}
		for _, n := range []string{"forum-a", "forum-b"} {
			if f.Services["caddy"].DependsOn[n].Condition != "service_healthy" {
				t.Errorf("caddy does not wait for a healthy %s", n)
			}
		}
		for _, p := range []string{"80:80", "443:443", "443:443/udp"} {
			if !slices.Contains(f.Services["caddy"].Ports, p) {
				t.Errorf("caddy does not publish %s", p)
			}
		}
		for n, s := range f.Services {
			if n != "caddy" && len(s.Ports) > 0 {
				t.Errorf("%s publishes %v: only Caddy should be reachable from outside", n, s.Ports)
			}
		}
	})

	t.Run("Healthchecks", func(t *testing.T) {
		for n, s := range f.Services {
			if s.Healthcheck == nil || len(s.Healthcheck.Test) < 2 || s.Healthcheck.Test[0] != "CMD" {
				t.Errorf("%s has no exec-form healthcheck (test: [CMD, ...]): %+v", n, s.Healthcheck)
			}
		}
		dockerfile, err := os.ReadFile("../Dockerfile")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"forum-a", "forum-b"} {
			// The image has no shell or curl; the binary checks itself, as the image's own
			// HEALTHCHECK does.
			if hc := f.Services[n].Healthcheck; hc == nil || !slices.Equal(hc.Test, []string{"CMD", "/forum", "healthcheck"}) {
				t.Errorf("%s healthcheck %+v, want [CMD /forum healthcheck]", n, hc)
			}
		}
		if !strings.Contains(string(dockerfile), `CMD ["/forum", "healthcheck"]`) {
			t.Error(`the Dockerfile's HEALTHCHECK is not CMD ["/forum", "healthcheck"]`)
		}
	})

	t.Run("NamedVolumes", func(t *testing.T) {
		used := map[string]bool{}
		for n, s := range f.Services {
			for _, v := range s.Volumes {
				src, _, _ := strings.Cut(v, ":")
				if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
					if _, err := os.Stat(filepath.Join("..", src)); err != nil {
						t.Errorf("%s mounts %s, which is not in the repository", n, src)
					}
					continue
				}
				if _, ok := f.Volumes[src]; !ok {
					t.Errorf("%s uses volume %q, not declared under volumes:", n, src)
				}
				used[src] = true
			}
		}
		for v := range f.Volumes {
			if !used[v] {
				t.Errorf("volume %q is declared but no service uses it", v)
			}
		}
		for _, want := range []string{"db-data:/var/lib/postgresql/data", "caddy-data:/data"} {
			found := false
			for _, s := range f.Services {
				found = found || slices.Contains(s.Volumes, want)
			}
			if !found {
				t.Errorf("no service mounts %s: its data would not survive a new container", want)
			}
		}
		if !slices.Contains(f.Services["caddy"].Volumes, "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro") {
			t.Error("caddy does not use deploy/Caddyfile")
		}
	})

	t.Run("ForumSettingsAreRealSettings", func(t *testing.T) {
		for _, n := range []string{"forum-a", "forum-b"} {
			env := f.Services[n].Environment
			// config.Load reads every setting it knows through getenv: a variable compose
			// sets that Load never asks for is a typo or a setting that does not exist.
			asked := map[string]bool{}
			cfg, _, err := config.Load(nil, func(k string) string { asked[k] = true; return env[k] })
			if err != nil {
				t.Fatalf("%s: its settings do not load: %v", n, err)
			}
			for k := range env {
				if (strings.HasPrefix(k, "FORUM_") || strings.HasPrefix(k, "DATABASE_")) && !asked[k] {
					t.Errorf("%s sets %s, which is not a setting (internal/config never reads it)", n, k)
				}
			}
			if err := cfg.ValidateServe(); err != nil {
				t.Errorf("%s: forum serve would refuse to start: %v", n, err)
			}
			if cfg.BaseURL != "https://forum.example.org" {
				t.Errorf("%s FORUM_BASE_URL = %q, want the domain over https", n, cfg.BaseURL)
			}
			u, err := url.Parse(cfg.DatabaseURL)
			if err != nil || u.Hostname() != "db" || u.Path != "/forum" {
				t.Errorf("%s DATABASE_URL %q does not name the db service's forum database", n, cfg.DatabaseURL)
			}
			// Caddy's fixed address must be believed, and the edge network is what is.
			caddyIP := caddyAddress(t, f)
			if !trusts(cfg.TrustedProxies, caddyIP) {
				t.Errorf("%s FORUM_TRUSTED_PROXIES %v does not cover Caddy's address %s", n, cfg.TrustedProxies, caddyIP)
			}
			if subnets := f.Networks["edge"].IPAM.Config; len(subnets) != 1 || !slices.Equal(cfg.TrustedProxies, []string{subnets[0].Subnet}) {
				t.Errorf("%s FORUM_TRUSTED_PROXIES %v, want exactly the edge network %+v", n, cfg.TrustedProxies, subnets)
			}
		}
		if !slices.Equal(mapKeys(f.Services["forum-a"].Environment), mapKeys(f.Services["forum-b"].Environment)) {
			t.Error("forum-a and forum-b have different settings")
		}
	})

	t.Run("SecretsComeFromTheEnvironment", func(t *testing.T) {
		// Without the .env, compose must refuse to start rather than run with a
		// made-up session key or password.
		_, err := interpolate(mustRead(t, "../compose.yaml"), map[string]string{})
		for _, v := range []string{"FORUM_SESSION_KEY", "POSTGRES_PASSWORD"} {
			if err == nil || !strings.Contains(err.Error(), v) {
				t.Errorf("compose.yaml without %s: %v, want it required (${%s:?...})", v, err, v)
			}
		}
		example := mustRead(t, "compose.env.example")
		for _, v := range []string{"FORUM_SESSION_KEY", "POSTGRES_PASSWORD", "FORUM_DOMAIN"} {
			if !strings.Contains(example, "\n"+v+"=") {
				t.Errorf("deploy/compose.env.example does not name %s", v)
			}
		}
	})
}

func caddyAddress(t *testing.T, f composeFile) net.IP {
	t.Helper()
	nets, ok := f.Services["caddy"].Networks.(map[string]any)
	if !ok {
		t.Fatalf("caddy's networks are %T, want a map giving it a fixed address", f.Services["caddy"].Networks)
	}
	edge, _ := nets["edge"].(map[string]any)
	ip := net.ParseIP(fmt.Sprint(edge["ipv4_address"]))
	if ip == nil {
		t.Fatalf("caddy has no fixed ipv4_address on the edge network: %v", nets)
	}
	return ip
}

func trusts(cidrs []string, ip net.IP) bool {
	for _, c := range cidrs {
		if _, n, err := net.ParseCIDR(c); err == nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

func mapKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tool finds a program the checks need; the scripts named install it (make test runs
// them), and the test fails with that instruction rather than skipping.
func tool(t *testing.T, name, script string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: run bash %s (as root it installs Debian's package)", name, script)
	}
	return p
}

// TestCaddyfile checks deploy/Caddyfile with Debian's caddy as compose runs it and as
// the many-instance tests run it, and reads the adapted JSON for what matters: the event
// streams flushed at once, both upstreams, health checks, and HTTP/2.
func TestCaddyfile(t *testing.T) {
	caddy := tool(t, "caddy", "scripts/ensure-caddy.sh")
	for _, tc := range []struct {
		name      string
		env       []string
		upstreams []string
	}{
		{"Compose", []string{"FORUM_SITE=forum.example.org", "FORUM_UPSTREAMS=forum-a:8080 forum-b:8080"},
			[]string{"forum-a:8080", "forum-b:8080"}},
		{"Defaults", nil, []string{"forum-a:8080", "forum-b:8080"}},
		{"LoopbackTest", []string{"FORUM_SITE=http://127.0.0.1:18443", "FORUM_UPSTREAMS=127.0.0.1:18081 127.0.0.1:18082",
			"CADDY_ADMIN=off"}, []string{"127.0.0.1:18081", "127.0.0.1:18082"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := append(os.Environ(), "HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
			env = append(env, tc.env...)
			validate := exec.Command(caddy, "validate", "--adapter", "caddyfile", "--config", "Caddyfile")
			validate.Env = env
			if out, err := validate.CombinedOutput(); err != nil {
				t.Fatalf("caddy validate: %v\n%s", err, out)
			}
			adapt := exec.Command(caddy, "adapt", "--adapter", "caddyfile", "--config", "Caddyfile")
			adapt.Env = env
			out, err := adapt.Output()
			if err != nil {
				t.Fatalf("caddy adapt: %v", err)
			}
			checkAdapted(t, out, tc.upstreams)
		})
	}
}

// checkAdapted reads Caddy's JSON: every reverse proxy reaches all the upstreams with a
// /readyz health check; one, for both event-stream paths, flushes at once; h2 is on.
func checkAdapted(t *testing.T, raw []byte, upstreams []string) {
	t.Helper()
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("caddy adapt printed no JSON: %v\n%s", err, raw)
	}
	var proxies []map[string]any
	var eventPaths []string
	var walk func(v any, paths []string)
	walk = func(v any, paths []string) {
		switch v := v.(type) {
		case map[string]any:
			if ms, ok := v["match"].([]any); ok {
				for _, m := range ms {
					if mm, ok := m.(map[string]any); ok {
						for _, p := range asStrings(mm["path"]) {
							paths = append(paths, p)
						}
					}
				}
			}
			if v["handler"] == "reverse_proxy" {
				proxies = append(proxies, v)
				if fi, _ := v["flush_interval"].(float64); fi == -1 {
					eventPaths = append(eventPaths, paths...)
				}
			}
			for _, c := range v {
				walk(c, paths)
			}
		case []any:
			for _, c := range v {
				walk(c, paths)
			}
		}
	}
	walk(doc, nil)
	if len(proxies) < 2 {
		t.Fatalf("%d reverse proxies, want one for event streams and one for the rest", len(proxies))
	}
	for _, p := range proxies {
		var dials []string
		for _, u := range p["upstreams"].([]any) {
			dials = append(dials, fmt.Sprint(u.(map[string]any)["dial"]))
		}
		if !slices.Equal(dials, upstreams) {
			t.Errorf("a reverse proxy reaches %v, want %v", dials, upstreams)
		}
		if hc, _ := p["health_checks"].(map[string]any); hc == nil || hc["active"].(map[string]any)["uri"] != "/readyz" {
			t.Errorf("a reverse proxy has no active /readyz health check: %v", p["health_checks"])
		}
	}
	slices.Sort(eventPaths)
	if want := []string{"/notifications/events", "/t/*/events"}; !slices.Equal(eventPaths, want) {
		t.Errorf("paths flushed at once (flush_interval -1): %v, want %v", eventPaths, want)
	}
	if !strings.Contains(string(raw), `"protocols":["h1","h2","h3"]`) {
		t.Error("the server does not offer HTTP/2 (protocols h1 h2 h3)")
	}
}

func asStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, s := range l {
			out = append(out, fmt.Sprint(s))
		}
	}
	return out
}

// TestAlertRules checks deploy/prometheus/alerts.yml with promtool: the rules parse, and
// the unit tests in alerts_test.yml see each tested alert fire on its series.
func TestAlertRules(t *testing.T) {
	promtool := tool(t, "promtool", "scripts/ensure-promtool.sh")
	if out, err := exec.Command(promtool, "check", "rules", "prometheus/alerts.yml").CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	if out, err := exec.Command(promtool, "test", "rules", "prometheus/alerts_test.yml").CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}

// TestOperationsManualNamesEverySetting fails when internal/config reads a setting that
// docs/operations.md does not name: the manual's settings are the ones that exist.
func TestOperationsManualNamesEverySetting(t *testing.T) {
	manual := mustRead(t, "../docs/operations.md")
	asked := map[string]bool{}
	if _, _, err := config.Load(nil, func(k string) string { asked[k] = true; return "" }); err != nil {
		t.Fatalf("config.Load with nothing set: %v", err)
	}
	if len(asked) < 10 {
		t.Fatalf("config.Load asked for only %d settings: the recording getenv missed them", len(asked))
	}
	for k := range asked {
		if !strings.Contains(manual, "`"+k+"`") {
			t.Errorf("docs/operations.md does not name the setting %s", k)
		}
	}
}
