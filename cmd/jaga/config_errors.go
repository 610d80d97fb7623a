package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	yamlTypeLine    = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: `.*`)? into (.+)$")
	yamlUnknownLine = regexp.MustCompile(`^line (\d+): field (\S+) not found in type`)
)

// configError translates a yaml decoding error of the config file at path into
// "<file> line N: field X: want …" (one line per problem), naming the key by its path
// in the file (audit.checkpoint_every, fields[0].max_len) and the kind of value wanted
// in words, never a Go type (main.config, jaga.FieldSpec) nor the value written, which
// could be a password. Other errors (syntax) are returned with the file name.
func configError(path string, b []byte, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("config %s: %w", path, err)
	}
	var doc yaml.Node
	_ = yaml.Unmarshal(b, &doc)
	name := filepath.Base(path)
	var lines []string
	for _, msg := range te.Errors {
		if m := yamlUnknownLine.FindStringSubmatch(msg); m != nil {
			lines = append(lines, fmt.Sprintf("%s line %s: unknown field %s", name, m[1], m[2]))
			continue
		}
		m := yamlTypeLine.FindStringSubmatch(msg)
		if m == nil {
			lines = append(lines, name+": "+strings.TrimSpace(msg))
			continue
		}
		line, _ := strconv.Atoi(m[1])
		key := keyAt(&doc, "", line, "!!"+m[2])
		if key == "" {
			key = "(top level)"
		}
		lines = append(lines, fmt.Sprintf("%s line %d: field %s: want %s", name, line, key, wantKind(m[3])))
	}
	return errors.New(strings.Join(lines, "\n"))
}

// keyAt returns the path of the first value node (document order) on line with tag.
func keyAt(n *yaml.Node, prefix string, line int, tag string) string {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if k := keyAt(c, prefix, line, tag); k != "" {
				return k
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			if v.Line == line && v.Tag == tag {
				return p
			}
			if r := keyAt(v, p, line, tag); r != "" {
				return r
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", prefix, i)
			if c.Line == line && c.Tag == tag {
				return p
			}
			if r := keyAt(c, p, line, tag); r != "" {
				return r
			}
		}
	}
	return ""
}

// wantKind says in words what a Go type yaml could not fill takes.
func wantKind(goType string) string {
	switch {
	case goType == "time.Duration":
		return "a duration such as 72h, 30m or 10s"
	case goType == "string":
		return "text"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping of names to values"
	}
	return "a mapping of settings"
}

// fieldsError is a fields: entry the schema refused (jaga.Schema.Extend): the field's
// name and the reason. It is a plain error, not a *jaga.Error, so that Main prints
// the whole located message and not only the schema's part.
type fieldsError struct{ field, msg string }

func (e fieldsError) Error() string { return "config: fields: " + e.field + ": " + e.msg }

// at locates e in the config file b at path by the fields: list item of that name
// (the second one of a name declared twice) and the key the reason is about:
// "jaga.yaml line 4: field fields[1].type (favourite): unknown type …". Where the
// item cannot be found, e is returned as it is.
func (e fieldsError) at(path string, b []byte) error {
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return e
	}
	var list *yaml.Node
	top := doc.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		if top[i].Value == "fields" && top[i+1].Kind == yaml.SequenceNode {
			list = top[i+1]
		}
	}
	if list == nil {
		return e
	}
	key := "name"
	for _, k := range []struct{ in, key string }{{"unknown type", "type"}, {"class ", "class"}, {"kind must", "kind"},
		{"blind-indexed", "indexed"}, {"max_len", "max_len"}, {"label", "labels"}} {
		if strings.Contains(e.msg, k.in) {
			key = k.key
			break
		}
	}
	idx, line := -1, 0
	for i, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		name, at := "", item.Line
		for j := 0; j+1 < len(item.Content); j += 2 {
			switch item.Content[j].Value {
			case "name":
				name = item.Content[j+1].Value
			case key:
				at = item.Content[j].Line
			}
		}
		if name == e.field && (idx < 0 || strings.Contains(e.msg, "declared twice")) {
			idx, line = i, at
		}
	}
	if idx < 0 {
		return e
	}
	return fmt.Errorf("%s line %d: field fields[%d].%s (%s): %s", filepath.Base(path), line, idx, key, e.field, e.msg)
}
