package main

import (
	"fmt"
	"strconv"
	"strings"
)

// parseSet applies one --set (or --set-string) argument the way Helm's strvals does:
// comma-separated assignments, dotted keys, [N] list indices, {a,b} lists, backslash escapes,
// and, for --set, true/false/null and integers without a leading zero typed as such.
func parseSet(into map[string]interface{}, arg string, asString bool) (map[string]interface{}, error) {
	for _, assignment := range splitUnescaped(arg, ',', true) {
		key, value, ok := cutUnescaped(assignment, '=')
		if !ok {
			return nil, fmt.Errorf("key %q has no value", assignment)
		}
		var v interface{}
		if strings.HasPrefix(value, "{") && strings.HasSuffix(value, "}") {
			var list []interface{}
			for _, item := range splitUnescaped(value[1:len(value)-1], ',', false) {
				list = append(list, typed(unescape(item), asString))
			}
			v = list
		} else {
			v = typed(unescape(value), asString)
		}
		var err error
		if into, err = setPath(into, splitUnescaped(key, '.', false), v); err != nil {
			return nil, fmt.Errorf("--set %s: %w", assignment, err)
		}
	}
	return into, nil
}

func typed(s string, asString bool) interface{} {
	switch {
	case asString:
		return s
	case strings.EqualFold(s, "true"):
		return true
	case strings.EqualFold(s, "false"):
		return false
	case strings.EqualFold(s, "null"):
		return nil
	case s == "0":
		return int64(0)
	case s != "" && s[0] != '0':
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	return s
}

// splitUnescaped splits on sep where it is not escaped by a backslash (nor, with braces, inside
// a {list}); escapes are kept for the next stage.
func splitUnescaped(s string, sep byte, braces bool) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case braces && s[i] == '{':
			depth++
		case braces && s[i] == '}':
			depth--
		case s[i] == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func cutUnescaped(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		} else if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

type step struct {
	key   string
	index int // -1 for a map key
}

func steps(segments []string) ([]step, error) {
	var out []step
	for _, seg := range segments {
		name := seg
		var idx []int
		for strings.HasSuffix(name, "]") {
			open := strings.LastIndex(name, "[")
			if open < 0 {
				return nil, fmt.Errorf("unbalanced brackets in %q", seg)
			}
			n, err := strconv.Atoi(name[open+1 : len(name)-1])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad list index in %q", seg)
			}
			idx = append([]int{n}, idx...)
			name = name[:open]
		}
		name = unescape(name)
		if name == "" {
			return nil, fmt.Errorf("empty key in %q", seg)
		}
		out = append(out, step{key: name, index: -1})
		for _, n := range idx {
			out = append(out, step{index: n})
		}
	}
	return out, nil
}

func setPath(root map[string]interface{}, segments []string, v interface{}) (map[string]interface{}, error) {
	path, err := steps(segments)
	if err != nil {
		return nil, err
	}
	var set func(cur interface{}, i int) (interface{}, error)
	set = func(cur interface{}, i int) (interface{}, error) {
		if i == len(path) {
			return v, nil
		}
		s := path[i]
		if s.index < 0 {
			m, ok := cur.(map[string]interface{})
			if !ok {
				m = map[string]interface{}{}
			}
			nv, err := set(m[s.key], i+1)
			if err != nil {
				return nil, err
			}
			m[s.key] = nv
			return m, nil
		}
		l, _ := cur.([]interface{})
		for len(l) <= s.index {
			l = append(l, nil)
		}
		nv, err := set(l[s.index], i+1)
		if err != nil {
			return nil, err
		}
		l[s.index] = nv
		return l, nil
	}
	out, err := set(root, 0)
	if err != nil {
		return nil, err
	}
	return out.(map[string]interface{}), nil
}
