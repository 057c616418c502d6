package storage

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// tableOwners names the one package (a directory of the module, with its
// subdirectories) that owns each ClickHouse table: its SQL, writes and reads, lives
// there and nowhere else (issue 20). docs/architecture.md draws the same map.
var tableOwners = map[string]string{
	"posts":                 "storage",
	"classifications":       "storage",
	"exposures":             "storage",
	"narrative_posts":       "storage",
	"narrative_daily":       "storage",
	"retention_log":         "storage",
	"schema_migrations":     "storage",
	"incidents":             "alerts",
	"alert_deliveries":      "alerts",
	"coordination_clusters": "coordination",
	"coordination_members":  "coordination",
	"coordination_evidence": "coordination",
	"coordination_labels":   "coordination",
	"coordination_rhythm":   "coordination",
	"narrative_labels":      "classifiers/narrative/feedback",
	"users":                 "web",
	"sessions":              "web",
	"audit_log":             "web",
	"reports":               "reports",
	"tip_campaigns":         "collectors/tipline",
}

// notYetMoved are the places that hold SQL of a table they do not own, each with the
// reason (test harnesses and the demo seeder only: the web pages and the reports read
// the fact tables through storage/readmodel). The list may only shrink: a place not
// listed fails the test, and so does a listed one that no longer names the table
// (delete its line then).
var notYetMoved = map[string]string{
	// Justified, staying: the web tests' stand-in for the alert role's acknowledgement (a
	// test harness, never imported by production code: TestHarnessesStayApart).
	"incidents in web/webtest": "ClickHouseAcker, the web tests' stand-in for the alert role",
	// Justified, staying: the demo data seeder writes fixture rows of every table the UI
	// shows, as the owning roles would have written them.
	"coordination_clusters in web/demodata": "demo seeder",
	"coordination_members in web/demodata":  "demo seeder",
	"coordination_rhythm in web/demodata":   "demo seeder",
	"exposures in web/demodata":             "demo seeder",
	"reports in web/demodata":               "demo seeder",
}

// sqlTable finds a table named after FROM, JOIN, INTO, TABLE or UPDATE in a string.
var sqlTable = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|INTO|TABLE|UPDATE|EXISTS)\s+([a-z_][a-z0-9_]*)\b`)

// sqlStatement recognises a format string that is SQL.
var sqlStatement = regexp.MustCompile(`(?i)^\s*(SELECT|INSERT|ALTER|CREATE|DROP|OPTIMIZE|WITH|TRUNCATE|RENAME|GRANT|REVOKE)\s|\bFROM\s+[a-z_]+.*\bWHERE\b`)

// sprintfSQLAllowed are the files whose fmt calls build SQL from identifiers only, which
// ClickHouse cannot bind; every value in them is bound by the driver. Each reason says
// where the identifiers come from.
var sprintfSQLAllowed = map[string]string{
	"storage/grafana.go": "database, user and view names of Grafana provisioning: checked against identRe, " +
		"from config and the fixed GrafanaTables list; the password is bound (@password)",
	"storage/cluster.go": "the clustered rewrite of the migrations: database and cluster of the validated " +
		"layout, table and view names of the migrations themselves",
	"storage/migrate.go": "CREATE DATABASE ... ON CLUSTER with the validated layout's database and cluster",
	"storage/move.go": "kuzot migrate --copy-from: database, table, column and cluster names read from " +
		"system tables or the validated layout and checked against identRe; the month, the old server's " +
		"address, database, user and password are bound (@month, @from_*)",
	"storage/retention.go": "ALTER TABLE ... ON CLUSTER over the fixed partitionedTables list and the " +
		"validated layout; the partition is bound (@partition)",
}

// skipDirs are measurement and load tools that seed and check tables directly.
var skipDirs = map[string]bool{"bench": true, "loadgen": true, "chaos": true, ".git": true, "testdata": true}

// TestTableOwnership: no SQL string naming a table appears outside the package that owns
// it (tableOwners) except the places listed in notYetMoved, and no fmt.Sprintf builds SQL
// (values are bound by the driver).
func TestTableOwnership(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if skipDirs[d.Name()] && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(rel))
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && len(x.Args) > 0 {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "fmt" && strings.Contains(sel.Sel.Name, "printf") {
						if s, ok := stringLit(x.Args[0]); ok && sqlStatement.MatchString(s) && sprintfSQLAllowed[rel] == "" {
							t.Errorf("%s: fmt.%s builds SQL; bind the values (clickhouse.Named / ?) instead",
								fset.Position(x.Pos()), sel.Sel.Name)
						}
					}
				}
			case *ast.BasicLit:
				s, ok := stringLit(x)
				if !ok {
					return true
				}
				for _, m := range sqlTable.FindAllStringSubmatch(s, -1) {
					table := strings.ToLower(m[1])
					owner, known := tableOwners[table]
					if !known || within(pkg, owner) {
						continue
					}
					key := table + " in " + pkg
					if _, ok := notYetMoved[key]; ok {
						seen[key] = true
						continue
					}
					t.Errorf("%s: SQL naming %s outside its owner %s; move it there", fset.Position(x.Pos()), table, owner)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for k := range notYetMoved {
		if !seen[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	for _, k := range stale {
		t.Errorf("notYetMoved lists %q, which no longer occurs: delete the line", k)
	}
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// within reports whether package directory pkg is owner or below it.
func within(pkg, owner string) bool { return pkg == owner || strings.HasPrefix(pkg, owner+"/") }
