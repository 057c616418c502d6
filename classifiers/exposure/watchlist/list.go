// Package watchlist holds the protected-member watchlists of organisations without ever
// keeping them in the clear.
//
// An organisation registers its members (names in any script and spelling, phones,
// personal and passport numbers, handles, e-mails) in a plaintext YAML file. Build
// reads it in memory and turns every normalised value and every generated spelling
// and inflected form of every name token into a keyed token (HMAC-SHA256 under a secret
// the operator provides, truncated to 128 bits). Only those tokens, the pseudonymous
// member ids and the organisation id are ever stored (Store) or loaded (Index). The
// classifier hashes the normalised tokens of each post the same way and looks them up.
//
// Names are matched token by token: a registered name matches when two different
// tokens of it (given name, surname, patronymic, in any order, with Kyrgyz connectors
// such as "уулу" between them) appear next to each other in a post. Identifiers match on
// their own. Matching is exact on the skeleton keys (see Skeleton), so similar but
// different names do not match.
package watchlist

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxFileBytes caps a plaintext watchlist file; a bigger one is certainly a mistake.
const MaxFileBytes = 16 << 20

// File is the plaintext watchlist format (see the issue and docs): one or more orgs,
// each with members. It lives only in memory.
type File struct {
	Orgs []Org `yaml:"orgs"`
}

// Org is one organisation's plaintext list.
type Org struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Aliases are other names and spellings of the organisation ("Ak-Kaiyng",
	// "Ак-Кайың"). With Name (less any parenthesised remark) they are hashed as
	// organisation-name tokens, never kept in the clear.
	Aliases []string `yaml:"aliases"`
	Members []Member `yaml:"members"`
}

// Member is one protected person. Only ID is kept after hashing.
type Member struct {
	ID      string   `yaml:"id"`
	Names   []string `yaml:"names"`
	Phones  []string `yaml:"phones"`
	IDs     []string `yaml:"ids"`
	Handles []string `yaml:"handles"`
	Emails  []string `yaml:"emails"`
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidID reports whether s is usable as an org or member id: 1–64 of [A-Za-z0-9._-],
// not starting with a dot or dash, so that it is safe in a file name and a KV key.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// ParseFile decodes and validates a plaintext watchlist. Errors name the org and member
// by id and the field by name, never by value, so that they can be logged.
func ParseFile(r io.Reader) (*File, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read watchlist: %w", err)
	}
	if len(raw) > MaxFileBytes {
		return nil, fmt.Errorf("watchlist file is larger than %d bytes", MaxFileBytes)
	}
	if !utf8.Valid(raw) {
		return nil, errors.New("watchlist file is not valid UTF-8")
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode watchlist YAML: %w", scrubYAMLError(err))
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// scrubYAMLError keeps the line information of a YAML error but drops quoted values,
// which could be a member's name or phone.
func scrubYAMLError(err error) error {
	msg := err.Error()
	var out strings.Builder
	in := false
	for _, r := range msg {
		switch {
		case r == '`' || r == '"':
			if !in {
				out.WriteString("<value>")
			}
			in = !in
		case !in:
			out.WriteRune(r)
		}
	}
	return errors.New(out.String())
}

// Validate reports every structural problem of the file (ids, duplicates, empty
// members, unparsable phones), naming orgs and members by id only.
func (f *File) Validate() error {
	var errs []error
	if len(f.Orgs) == 0 {
		errs = append(errs, errors.New("watchlist has no orgs"))
	}
	orgs := map[string]bool{}
	for i, o := range f.Orgs {
		if !ValidID(o.ID) {
			errs = append(errs, fmt.Errorf("org #%d: invalid id (want 1-64 of A-Z a-z 0-9 . _ -)", i+1))
			continue
		}
		if orgs[o.ID] {
			errs = append(errs, fmt.Errorf("org %s: listed twice", o.ID))
		}
		orgs[o.ID] = true
		members := map[string]bool{}
		for j, m := range o.Members {
			if !ValidID(m.ID) {
				errs = append(errs, fmt.Errorf("org %s member #%d: invalid id", o.ID, j+1))
				continue
			}
			if members[m.ID] {
				errs = append(errs, fmt.Errorf("org %s member %s: listed twice", o.ID, m.ID))
			}
			members[m.ID] = true
			if len(m.Names)+len(m.Phones)+len(m.IDs)+len(m.Handles)+len(m.Emails) == 0 {
				errs = append(errs, fmt.Errorf("org %s member %s: nothing to match (no names, phones, ids, handles or emails)", o.ID, m.ID))
			}
			for k, p := range m.Phones {
				if _, ok := CanonPhone(p); !ok {
					errs = append(errs, fmt.Errorf("org %s member %s: phones[%d] is not a valid phone number", o.ID, m.ID, k))
				}
			}
			for k, n := range m.Names {
				if len(NameTokens(n)) == 0 {
					errs = append(errs, fmt.Errorf("org %s member %s: names[%d] has no letters", o.ID, m.ID, k))
				}
			}
			for k, id := range m.IDs {
				if len(CanonID(id)) < 6 {
					errs = append(errs, fmt.Errorf("org %s member %s: ids[%d] is shorter than 6 characters", o.ID, m.ID, k))
				}
			}
			for k, e := range m.Emails {
				if !strings.Contains(e, "@") {
					errs = append(errs, fmt.Errorf("org %s member %s: emails[%d] is not an e-mail address", o.ID, m.ID, k))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// Org returns the org with the given id.
func (f *File) Org(id string) (*Org, bool) {
	for i := range f.Orgs {
		if f.Orgs[i].ID == id {
			return &f.Orgs[i], true
		}
	}
	return nil, false
}

// FormatVersion is the version of the hashed list format.
const FormatVersion = 1

// HashedList is what is stored of one organisation's watchlist: only keyed tokens,
// pseudonymous member ids and the org id.
type HashedList struct {
	Version int    `json:"version"`
	Org     string `json:"org"`
	// KeyID is the fingerprint of the key the tokens were made with (Hasher.KeyID).
	KeyID string `json:"key_id"`
	// Members are the member ids; entries refer to them by index.
	Members []string `json:"members"`
	// Names[i] is the number of names registered for member i; entries of kind name
	// refer to a name by index.
	Names []int `json:"names"`
	// Entries are the keyed tokens, sorted by hash so that the file reveals no order.
	Entries []Entry `json:"entries"`
	// Since[i] is when member i was first registered (Unix seconds; 0 = unknown, for
	// lists imported before this field existed). Alerts use it so that a member added
	// today is not alerted about exposures kuzot collected before (see docs/alerts.md).
	Since []int64 `json:"since,omitempty"`
	// OrgNames are the keyed tokens of the organisation's own name and aliases;
	// OrgNameTokens[i] is how many tokens the i-th of those names has (a name of two
	// or more tokens counts as named only when two of them stand together). Lists
	// stored before this field existed have neither and never corroborate.
	OrgNames      []OrgToken `json:"org_names,omitempty"`
	OrgNameTokens []int      `json:"org_name_tokens,omitempty"`
}

// OrgToken is one keyed token of an organisation's name: the token-th token of its
// name-th name (0 is Name, then Aliases).
type OrgToken struct {
	Hash  Hash `json:"h"`
	Name  int  `json:"n,omitempty"`
	Token int  `json:"t,omitempty"`
}

// orgNames returns the organisation's own name without a parenthesised remark
// ("Ак-Кайың (community initiative, Bishkek)" is named "Ак-Кайың"), then its aliases.
func (o *Org) orgNames() []string {
	var out []string
	name := o.Name
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	for _, n := range append([]string{name}, o.Aliases...) {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// CarrySince fills Since: a member already registered in prev (the org's previously
// stored list) keeps its registration time, any other member is registered at now.
func (l *HashedList) CarrySince(prev *HashedList, now time.Time) {
	old := map[string]int64{}
	if prev != nil && prev.Org == l.Org {
		for i, m := range prev.Members {
			if i < len(prev.Since) && prev.Since[i] > 0 {
				old[m] = prev.Since[i]
			}
		}
	}
	l.Since = make([]int64, len(l.Members))
	for i, m := range l.Members {
		if t, ok := old[m]; ok {
			l.Since[i] = t
		} else {
			l.Since[i] = now.Unix()
		}
	}
}

// Entry is one keyed token and what it identifies.
type Entry struct {
	Hash Hash `json:"h"`
	Kind Kind `json:"k"`
	// Member indexes HashedList.Members.
	Member int `json:"m"`
	// Name and Token locate a name token (kind name only): the token-th token of the
	// member's name-th registered name.
	Name  int `json:"n,omitempty"`
	Token int `json:"t,omitempty"`
}

// Build hashes one organisation's plaintext list. The result holds no plaintext.
func Build(o *Org, h *Hasher) (*HashedList, error) {
	if !ValidID(o.ID) {
		return nil, errors.New("build watchlist: invalid org id")
	}
	l := &HashedList{Version: FormatVersion, Org: o.ID, KeyID: h.KeyID()}
	seen := map[Entry]bool{}
	add := func(e Entry) {
		if !seen[e] {
			seen[e] = true
			l.Entries = append(l.Entries, e)
		}
	}
	for mi, m := range o.Members {
		if !ValidID(m.ID) {
			return nil, fmt.Errorf("build watchlist %s: member #%d has an invalid id", o.ID, mi+1)
		}
		l.Members = append(l.Members, m.ID)
		l.Names = append(l.Names, len(m.Names))
		for ni, name := range m.Names {
			for ti, part := range nameParts(name) {
				keys := TokenKeys(part.tok)
				if part.fatherOf != "" {
					for _, s := range patronymicSurnames(part.tok, part.fatherOf) {
						keys = append(keys, TokenKeys(s)...)
					}
				}
				for _, k := range keys {
					add(Entry{Hash: h.SumString(KindName, k), Kind: KindName, Member: mi, Name: ni, Token: ti})
				}
			}
		}
		for _, p := range m.Phones {
			if e164, ok := CanonPhone(p); ok {
				add(Entry{Hash: h.SumString(KindPhone, e164), Kind: KindPhone, Member: mi})
			}
		}
		for _, id := range m.IDs {
			if c := CanonID(id); c != "" {
				add(Entry{Hash: h.SumString(KindID, c), Kind: KindID, Member: mi})
			}
		}
		for _, hd := range m.Handles {
			if c := CanonHandle(hd); c != "" {
				add(Entry{Hash: h.SumString(KindHandle, c), Kind: KindHandle, Member: mi})
			}
		}
		for _, e := range m.Emails {
			if c := CanonEmail(e); c != "" {
				add(Entry{Hash: h.SumString(KindEmail, c), Kind: KindEmail, Member: mi})
			}
		}
	}
	sortEntries(l.Entries)
	seenOrg := map[OrgToken]bool{}
	for ni, name := range o.orgNames() {
		toks := NameTokens(name)
		l.OrgNameTokens = append(l.OrgNameTokens, len(toks))
		for ti, tok := range toks {
			for _, k := range TokenKeys(tok) {
				ot := OrgToken{Hash: h.SumString(KindOrgName, k), Name: ni, Token: ti}
				if !seenOrg[ot] {
					seenOrg[ot] = true
					l.OrgNames = append(l.OrgNames, ot)
				}
			}
		}
	}
	sort.Slice(l.OrgNames, func(i, j int) bool { return bytes.Compare(l.OrgNames[i].Hash[:], l.OrgNames[j].Hash[:]) < 0 })
	return l, nil
}

// Validate checks a stored list's structure (indexes in range, known kinds).
func (l *HashedList) Validate() error {
	if l.Version != FormatVersion {
		return fmt.Errorf("watchlist %s: format version %d, want %d", l.Org, l.Version, FormatVersion)
	}
	if !ValidID(l.Org) {
		return errors.New("watchlist: invalid org id")
	}
	if len(l.Names) != len(l.Members) {
		return fmt.Errorf("watchlist %s: %d name counts for %d members", l.Org, len(l.Names), len(l.Members))
	}
	if len(l.Since) != 0 && len(l.Since) != len(l.Members) {
		return fmt.Errorf("watchlist %s: %d registration times for %d members", l.Org, len(l.Since), len(l.Members))
	}
	for i, e := range l.Entries {
		if e.Member < 0 || e.Member >= len(l.Members) {
			return fmt.Errorf("watchlist %s: entry %d refers to member %d of %d", l.Org, i, e.Member, len(l.Members))
		}
		switch e.Kind {
		case KindName:
			if e.Name < 0 || e.Name >= l.Names[e.Member] || e.Token < 0 || e.Token > 64 {
				return fmt.Errorf("watchlist %s: entry %d refers to a name out of range", l.Org, i)
			}
		case KindPhone, KindID, KindHandle, KindEmail:
		default:
			return fmt.Errorf("watchlist %s: entry %d has unknown kind %d", l.Org, i, e.Kind)
		}
	}
	for i, ot := range l.OrgNames {
		if ot.Name < 0 || ot.Name >= len(l.OrgNameTokens) || ot.Token < 0 || ot.Token >= l.OrgNameTokens[ot.Name] {
			return fmt.Errorf("watchlist %s: organisation-name token %d is out of range", l.Org, i)
		}
	}
	return nil
}
