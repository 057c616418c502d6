package config

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one error in a configuration file: the key path ("alerts.orgs[0].id"),
// the line of that key in the file (0 when unknown), what is wrong, and the file when
// known.
type Problem struct {
	File string
	Path string
	Line int
	Msg  string
}

// Error implements error: "kuzot.yaml:12: alerts.orgz_typo: unknown key ..." (or
// "line 12: ..." without a file), the way compilers and promtool report.
func (p Problem) Error() string {
	var b strings.Builder
	switch {
	case p.File != "" && p.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", p.File, p.Line)
	case p.File != "":
		fmt.Fprintf(&b, "%s: ", p.File)
	case p.Line > 0:
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems are every problem a check found, in file order. A nil Problems is no error.
type Problems []Problem

// Error implements error, one problem per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find each Problem.
func (ps Problems) Unwrap() []error {
	out := make([]error, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

// InFile sets the file of every problem.
func (ps Problems) InFile(file string) Problems {
	for i := range ps {
		ps[i].File = file
	}
	return ps
}

// Err returns ps sorted by line as an error, or nil when there is none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	slices.SortStableFunc(ps, func(a, b Problem) int { return a.Line - b.Line })
	return ps
}

// ProblemsOf flattens err into Problems: problems already located are kept, joined and
// wrapped errors are split, and any other error becomes one problem at path and line
// (the section that produced it).
func ProblemsOf(err error, path string, line int) Problems {
	if err == nil {
		return nil
	}
	var out Problems
	switch e := err.(type) {
	case Problems:
		return append(out, e...)
	case Problem:
		return append(out, e)
	case interface{ Unwrap() []error }:
		for _, x := range e.Unwrap() {
			out = append(out, ProblemsOf(x, path, line)...)
		}
		return out
	}
	var ps Problems
	if errors.As(err, &ps) {
		return append(out, ps...)
	}
	return append(out, Problem{Path: path, Line: line, Msg: err.Error()})
}

// DecodeSection is kuzot's one strict decoder for every part of the configuration: the
// whole file, each section owned by a package (alerts, web, reports, coordination, a
// classifier's section) and each entry of a registry-decoded list (sources, alert
// channels). It decodes node into v (a pointer), leaving v unchanged when the section is
// absent, and reports every unknown key — a key that v's type does not declare — and
// every value of the wrong type as Problems carrying the key path (path is the node's
// own path, "" for the file) and the line in the original file.
//
// Fields of type yaml.Node (or slices and maps of them) are left to their owners, who
// decode them with DecodeSection in turn; so do types with their own UnmarshalYAML.
func DecodeSection(node *yaml.Node, path string, v any) error {
	if node == nil || node.Kind == 0 {
		return nil
	}
	if node.Kind == yaml.DocumentNode {
		if len(node.Content) == 0 {
			return nil
		}
		node = node.Content[0]
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("config: DecodeSection needs a non-nil pointer, got %T", v)
	}
	w := walker{lines: map[int]string{}}
	w.walk(node, rv.Type().Elem(), path)
	if err := node.Decode(v); err != nil {
		w.typeErrors(err, path, node.Line)
	}
	return w.problems.Err()
}

// walker checks keys against Go types and remembers which path each line belongs to,
// so that yaml's type errors ("line 7: cannot unmarshal ...") get their key path.
type walker struct {
	problems Problems
	lines    map[int]string
}

var (
	nodeType        = reflect.TypeOf(yaml.Node{})
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	textType        = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// note records the path of a node's line; the deepest node of a line wins (the walk
// visits parents first).
func (w *walker) note(n *yaml.Node, path string) { w.lines[n.Line] = path }

func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	w.note(n, path)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nodeType || t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) ||
		reflect.PointerTo(t).Implements(textType) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // node.Decode reports the type error
		}
		fields, anyKey := structKeys(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Value == "<<" && k.Tag == "!!merge" {
				w.walkMerge(val, t, path)
				continue
			}
			ft, ok := fields[k.Value]
			kp := join(path, k.Value)
			w.note(k, kp)
			if !ok {
				if !anyKey {
					w.problems = append(w.problems, Problem{Path: kp, Line: k.Line, Msg: unknownKey(fields)})
				}
				continue
			}
			w.walk(val, ft, kp)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			kp := join(path, n.Content[i].Value)
			w.note(n.Content[i], kp)
			w.walk(n.Content[i+1], t.Elem(), kp)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, item := range n.Content {
			w.walk(item, t.Elem(), path+"["+strconv.Itoa(i)+"]")
		}
	}
}

// walkMerge checks the keys merged in by "<<: *anchor" (one mapping or a list of them).
func (w *walker) walkMerge(n *yaml.Node, t reflect.Type, path string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.SequenceNode {
		for _, m := range n.Content {
			w.walk(m, t, path)
		}
		return
	}
	w.walk(n, t, path)
}

// structKeys maps the YAML keys a struct declares (inline structs included) to their
// types; anyKey is true when an inline map takes every other key.
func structKeys(t reflect.Type) (map[string]reflect.Type, bool) {
	out := map[string]reflect.Type{}
	anyKey := false
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if slices.Contains(strings.Split(opts, ","), "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Map {
				anyKey = true
				continue
			}
			inner, innerAny := structKeys(ft)
			for k, v := range inner {
				out[k] = v
			}
			anyKey = anyKey || innerAny
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out, anyKey
}

func unknownKey(fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	return "unknown key (known here: " + strings.Join(names, ", ") + ")"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// typeErrors turns yaml's errors into located Problems.
func (w *walker) typeErrors(err error, path string, line int) {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		w.problems = append(w.problems, Problem{Path: path, Line: line, Msg: err.Error()})
		return
	}
	for _, msg := range te.Errors {
		m := yamlLine.FindStringSubmatch(msg)
		if m == nil {
			w.problems = append(w.problems, Problem{Path: path, Line: line, Msg: msg})
			continue
		}
		if strings.Contains(m[2], " not found in type ") {
			continue // the walker has reported the unknown key with its path
		}
		l, _ := strconv.Atoi(m[1])
		p, ok := w.lines[l]
		if !ok {
			p = path
		}
		w.problems = append(w.problems, Problem{Path: p, Line: l, Msg: m[2]})
	}
}

// KeyLines maps every key path of a YAML tree ("alerts.orgs[0].id") to its line, for
// locating problems found after decoding (out-of-range values, missing keys).
func KeyLines(node *yaml.Node) map[string]int {
	out := map[string]int{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				kp := join(path, n.Content[i].Value)
				if _, ok := out[kp]; !ok {
					out[kp] = n.Content[i].Line
				}
				walk(n.Content[i+1], kp)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				ip := path + "[" + strconv.Itoa(i) + "]"
				if _, ok := out[ip]; !ok {
					out[ip] = c.Line
				}
				walk(c, ip)
			}
		}
	}
	if node != nil {
		walk(node, "")
	}
	return out
}

// Locate turns err, found while checking the section at path, into Problems with the
// best line known: problems that already carry a line keep it; a message that begins
// with a key of the section ("max_attempts: 0, must be ...", "smtp.tls \"x\": ...",
// after an optional "<section>:" or "<section> config:" prefix) gets that key's path
// and line; anything else gets the section's own line.
func Locate(err error, path string, lines map[string]int) Problems {
	ps := ProblemsOf(err, path, lines[path])
	for i := range ps {
		p := &ps[i]
		if p.Line > 0 && p.Path != path {
			continue
		}
		msg := p.Msg
		last := path[strings.LastIndex(path, ".")+1:]
		for _, prefix := range []string{path + ": ", path + " config: ", last + ": ", last + " config: "} {
			if path != "" && strings.HasPrefix(msg, prefix) {
				msg = strings.TrimPrefix(msg, prefix)
				break
			}
		}
		token := msg
		if j := strings.IndexAny(token, " :("); j >= 0 {
			token = token[:j]
		}
		full := token
		if path != "" && !strings.HasPrefix(token, path+".") && !strings.HasPrefix(token, path+"[") {
			full = path + "." + token
		}
		if l, ok := lines[full]; ok && token != "" {
			p.Line = l
			if rest := strings.TrimPrefix(msg, token); strings.HasPrefix(rest, ":") {
				p.Path, p.Msg = full, strings.TrimLeft(rest, ": ")
			} else {
				p.Msg = msg
			}
			continue
		}
		p.Msg = msg
		if p.Line == 0 {
			p.Line = lines[path]
		}
	}
	return ps
}
