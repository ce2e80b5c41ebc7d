// Command render is a small `helm template`: it renders a chart directory with Helm's own
// template semantics (Go text/template, sprig, Helm's extra functions, values merging and
// values.schema.json validation) and prints the manifests as one YAML stream. It exists because
// the machines that test the chart have no Helm binary; it implements what the charts of this
// repository use, no more. Differences from Helm are listed in deploy/helm/README.md.
//
//	render NAME CHART [-n NAMESPACE] [-f VALUES]... [--set K=V]... [--set-string K=V]...
//	       [--is-upgrade] [--revision N] [--kube-version 1.32.0] [--notes]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
	"github.com/xeipuuv/gojsonschema"
)

type options struct {
	name, chart, namespace, kubeVersion string
	valueFiles, set, setString          []string
	isUpgrade, notes                    bool
	revision                            int
}

func parseArgs(args []string) (options, error) {
	o := options{namespace: "default", kubeVersion: "1.32.0", revision: 1}
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(k, "--") {
				return v, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("flag %s needs a value", a)
			}
			i++
			return args[i], nil
		}
		flag, _, _ := strings.Cut(a, "=")
		var err error
		var v string
		switch flag {
		case "-n", "--namespace":
			v, err = next()
			o.namespace = v
		case "-f", "--values":
			v, err = next()
			o.valueFiles = append(o.valueFiles, v)
		case "--set":
			v, err = next()
			o.set = append(o.set, v)
		case "--set-string":
			v, err = next()
			o.setString = append(o.setString, v)
		case "--kube-version":
			v, err = next()
			o.kubeVersion = strings.TrimPrefix(v, "v")
		case "--revision":
			v, err = next()
			if err == nil {
				o.revision, err = strconv.Atoi(v)
			}
		case "--is-upgrade":
			o.isUpgrade = true
		case "--notes":
			o.notes = true
		default:
			if strings.HasPrefix(a, "-") {
				return o, fmt.Errorf("unknown flag %s", a)
			}
			positional = append(positional, a)
		}
		if err != nil {
			return o, err
		}
	}
	if len(positional) != 2 {
		return o, errors.New("usage: render NAME CHART [-n NS] [-f FILE]... [--set K=V]... [--set-string K=V]... [--is-upgrade] [--revision N] [--kube-version V] [--notes]")
	}
	o.name, o.chart = positional[0], positional[1]
	return o, nil
}

// metadata is Chart.yaml; the field names are those of Helm's chart.Metadata, which is what
// templates see as .Chart.
type metadata struct {
	APIVersion  string            `json:"apiVersion"`
	Name        string            `json:"name"`
	Version     string            `json:"version"`
	AppVersion  string            `json:"appVersion"`
	KubeVersion string            `json:"kubeVersion"`
	Description string            `json:"description"`
	Type        string            `json:"type"`
	Home        string            `json:"home"`
	Sources     []string          `json:"sources"`
	Keywords    []string          `json:"keywords"`
	Annotations map[string]string `json:"annotations"`
}

// files is .Files: the chart's files outside templates/ and the special files.
type files map[string][]byte

func (f files) Get(name string) string      { return string(f[name]) }
func (f files) GetBytes(name string) []byte { return f[name] }
func (f files) Lines(name string) []string  { return strings.Split(string(f[name]), "\n") }
func (f files) Glob(pattern string) files {
	out := files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

type kubeVersion struct{ Version, Major, Minor string }

func (k kubeVersion) String() string { return k.Version }

type versionSet []string

func (v versionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type capabilities struct {
	KubeVersion kubeVersion
	APIVersions versionSet
}

// apiVersions are the group versions a 1.32 cluster with the operators this chart targets
// serves; .Capabilities.APIVersions.Has answers from this list.
var apiVersions = versionSet{
	"v1", "apps/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1",
	"monitoring.coreos.com/v1", "external-secrets.io/v1beta1",
}

func loadChart(dir string) (metadata, map[string]string, files, []byte, map[string]interface{}, error) {
	var md metadata
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return md, nil, nil, nil, nil, err
	}
	if err := yaml.Unmarshal(raw, &md); err != nil {
		return md, nil, nil, nil, nil, fmt.Errorf("Chart.yaml: %w", err)
	}
	if md.APIVersion != "v2" || md.Name == "" || md.Version == "" {
		return md, nil, nil, nil, nil, errors.New("Chart.yaml: apiVersion v2, name and version are required")
	}
	ignore := helmignore(dir)
	templates := map[string]string{}
	fs := files{}
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel != "." && ignore(rel, info.IsDir()) {
			if info.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if info.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			templates[md.Name+"/"+rel] = string(data)
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" || strings.HasPrefix(rel, "charts/"):
		default:
			fs[rel] = data
		}
		return nil
	})
	if err != nil {
		return md, nil, nil, nil, nil, err
	}
	schema, _ := os.ReadFile(filepath.Join(dir, "values.schema.json"))
	defaults := map[string]interface{}{}
	if raw, err := os.ReadFile(filepath.Join(dir, "values.yaml")); err == nil {
		if err := yaml.Unmarshal(raw, &defaults); err != nil {
			return md, nil, nil, nil, nil, fmt.Errorf("values.yaml: %w", err)
		}
	}
	return md, templates, fs, schema, defaults, nil
}

// helmignore reads .helmignore: one shell pattern a line, matched against the path and its
// base name, a trailing slash for directories only. Helm's own rules (negation, **) are not
// needed here.
func helmignore(dir string) func(string, bool) bool {
	raw, _ := os.ReadFile(filepath.Join(dir, ".helmignore"))
	var patterns []string
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	return func(rel string, isDir bool) bool {
		if rel == ".helmignore" {
			return true
		}
		for _, p := range patterns {
			dirOnly := strings.HasSuffix(p, "/")
			p = strings.TrimSuffix(p, "/")
			if dirOnly && !isDir {
				continue
			}
			if ok, _ := path.Match(p, rel); ok {
				return true
			}
			if ok, _ := path.Match(p, path.Base(rel)); ok {
				return true
			}
		}
		return false
	}
}

func readValueFile(name string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// mergeMaps is how Helm combines the -f files and --set values with each other: maps merge
// deeply, anything else (lists included) is replaced by the later value.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if om, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(om, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesce is how Helm lays the user's values over the chart's values.yaml: the user's value
// wins, maps merge deeply, and a user's null deletes the default.
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range user {
		if v == nil {
			delete(out, k)
			continue
		}
		um, uok := v.(map[string]interface{})
		dm, dok := out[k].(map[string]interface{})
		if uok && dok {
			out[k] = coalesce(um, dm)
		} else {
			out[k] = v
		}
	}
	for k, v := range out {
		if m, ok := v.(map[string]interface{}); ok {
			out[k] = dropNulls(m)
		}
	}
	return out
}

func dropNulls(m map[string]interface{}) map[string]interface{} {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		} else if sub, ok := v.(map[string]interface{}); ok {
			m[k] = dropNulls(sub)
		}
	}
	return m
}

// validateSchema checks the final values against values.schema.json with the same library and
// the same message format as Helm.
func validateSchema(chart string, schema []byte, values map[string]interface{}) error {
	if len(schema) == 0 {
		return nil
	}
	doc, err := json.Marshal(values)
	if err != nil {
		return err
	}
	res, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewBytesLoader(doc))
	if err != nil {
		return fmt.Errorf("values.schema.json: %w", err)
	}
	if res.Valid() {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n", chart)
	for _, e := range res.Errors() {
		fmt.Fprintf(&b, "- %s\n", e)
	}
	return errors.New(strings.TrimSuffix(b.String(), "\n"))
}

func funcMap(t **template.Template, includeDepth *int) template.FuncMap {
	f := sprig.TxtFuncMap()
	// Helm removes these two: a chart must render the same on every machine.
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	f["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromYamlArray"] = func(s string) []interface{} {
		var a []interface{}
		if err := yaml.Unmarshal([]byte(s), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
	f["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	f["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromJsonArray"] = func(s string) []interface{} {
		var a []interface{}
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	// Like `helm template`, which talks to no cluster: every lookup finds nothing.
	f["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	f["include"] = func(name string, data interface{}) (string, error) {
		*includeDepth++
		defer func() { *includeDepth-- }()
		if *includeDepth > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		var buf bytes.Buffer
		if err := (*t).ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := (*t).Clone()
		if err != nil {
			return "", err
		}
		tt, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf bytes.Buffer
		if err := tt.Execute(&buf, data); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	return f
}

var execErr = regexp.MustCompile(`^template: ([^:]+:\d+:\d+): executing "[^"]*" at <[^>]*>: error calling \w+: `)

// cleanupExecError turns Go's wording of a `fail` or `required` into Helm's.
func cleanupExecError(err error) error {
	msg := err.Error()
	for {
		m := execErr.FindStringSubmatchIndex(msg)
		if m == nil {
			break
		}
		loc := msg[m[2]:m[3]]
		rest := msg[m[1]:]
		if execErr.MatchString(rest) {
			msg = rest
			continue
		}
		return fmt.Errorf("execution error at (%s): %s", loc, rest)
	}
	return err
}

// installOrder is Helm's kind order for installs, which `helm template` also prints in.
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
	"ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList",
	"RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController",
	"ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
	"IngressClass", "Ingress", "APIService",
}

type manifest struct {
	source, content, kind string
}

var docSep = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

func run(o options) error {
	md, templates, fs, schema, defaults, err := loadChart(o.chart)
	if err != nil {
		return err
	}
	user := map[string]interface{}{}
	for _, f := range o.valueFiles {
		m, err := readValueFile(f)
		if err != nil {
			return err
		}
		user = mergeMaps(user, m)
	}
	for _, s := range o.set {
		if user, err = parseSet(user, s, false); err != nil {
			return err
		}
	}
	for _, s := range o.setString {
		if user, err = parseSet(user, s, true); err != nil {
			return err
		}
	}
	values := coalesce(user, defaults)
	if err := validateSchema(md.Name, schema, values); err != nil {
		return err
	}

	var t *template.Template
	depth := 0
	t = template.New("gotpl").Option("missingkey=zero").Funcs(funcMap(&t, &depth))
	names := make([]string, 0, len(templates))
	for name := range templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := t.New(name).Parse(templates[name]); err != nil {
			return fmt.Errorf("parse error in %s", strings.TrimPrefix(err.Error(), "template: "))
		}
	}
	kv := strings.SplitN(o.kubeVersion, ".", 3)
	if len(kv) < 2 {
		return fmt.Errorf("--kube-version %q is not MAJOR.MINOR[.PATCH]", o.kubeVersion)
	}
	top := map[string]interface{}{
		"Values": values,
		"Chart":  md,
		"Files":  fs,
		"Release": map[string]interface{}{
			"Name": o.name, "Namespace": o.namespace, "Service": "Helm",
			"IsInstall": !o.isUpgrade, "IsUpgrade": o.isUpgrade, "Revision": o.revision,
		},
		"Capabilities": capabilities{
			KubeVersion: kubeVersion{Version: "v" + o.kubeVersion, Major: kv[0], Minor: kv[1]},
			APIVersions: apiVersions,
		},
	}
	var manifests []manifest
	for _, name := range names {
		base := path.Base(name)
		isNotes := base == "NOTES.txt"
		if strings.HasPrefix(base, "_") || isNotes != o.notes {
			continue
		}
		if !isNotes && !strings.HasSuffix(base, ".yaml") && !strings.HasSuffix(base, ".yml") && !strings.HasSuffix(base, ".tpl") {
			continue
		}
		vals := map[string]interface{}{"Template": map[string]interface{}{"Name": name, "BasePath": md.Name + "/templates"}}
		for k, v := range top {
			vals[k] = v
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, vals); err != nil {
			return cleanupExecError(err)
		}
		out := strings.ReplaceAll(buf.String(), "<no value>", "")
		if isNotes {
			fmt.Print(out)
			return nil
		}
		for _, doc := range docSep.Split(out, -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var head struct {
				Kind string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return fmt.Errorf("YAML parse error on %s: %w", name, err)
			}
			manifests = append(manifests, manifest{source: name, content: strings.TrimSpace(doc), kind: head.Kind})
		}
	}
	rank := func(kind string) int {
		for i, k := range installOrder {
			if k == kind {
				return i
			}
		}
		return len(installOrder)
	}
	sort.SliceStable(manifests, func(i, j int) bool {
		ri, rj := rank(manifests[i].kind), rank(manifests[j].kind)
		if ri != rj {
			return ri < rj
		}
		return ri == len(installOrder) && manifests[i].kind < manifests[j].kind
	})
	for _, m := range manifests {
		fmt.Printf("---\n# Source: %s\n%s\n", m.source, m.content)
	}
	return nil
}

func main() {
	o, err := parseArgs(os.Args[1:])
	if err == nil {
		err = run(o)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %s\n", err)
		os.Exit(1)
	}
}
