package app

import (
	"errors"
	"path/filepath"

	"github.com/kuzot/kuzot/alerts"
	alertsall "github.com/kuzot/kuzot/alerts/all"
	classifiersall "github.com/kuzot/kuzot/classifiers/all"
	collectorsall "github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/reports"
	"github.com/kuzot/kuzot/web"
)

// Section is one configuration section that package config keeps raw (a yaml.Node) and
// its owning package decodes. Check decodes it with config.DecodeSection and validates
// it, without connecting to anything or reading secrets that only the role using it
// needs.
type Section struct {
	// Path is the section's key ("alerts", "sources", "classifiers").
	Path  string
	Check func(cfg *config.Config) error
}

// Sections lists every configuration section owned outside package config. Every
// process checks all of them at load (LoadConfig, CheckConfig), whatever roles it runs,
// so that a typo in a section of a role that runs elsewhere is still an error.
//
// Adding a section: a yaml.Node field in config.Config, a decoder in the owning package
// (config.DecodeSection(node, "<key>", &v), then defaults and validation), one entry
// here, and the section documented in kuzot.example.yaml (docs/configuration.md).
func Sections() []Section {
	return []Section{
		{"sources", func(cfg *config.Config) error {
			_, err := DecodeSources(collectorsall.Registry(), cfg.Sources)
			return err
		}},
		{"classifiers", func(cfg *config.Config) error {
			return classifiersall.Registry().CheckConfigs(cfg.Classifiers, cfg.DataDir, cfg.KeyLines)
		}},
		{"alerts", func(cfg *config.Config) error {
			_, err := alerts.Decode(&cfg.Alerts, alertsall.Registry())
			return err
		}},
		{"coordination", func(cfg *config.Config) error {
			cc, err := coordination.LoadConfig(&cfg.Coordination)
			if err != nil {
				return err
			}
			_, err = cc.Params()
			return err
		}},
		{"web", func(cfg *config.Config) error {
			_, err := web.LoadConfig(&cfg.Web, cfg.DataDir)
			return err
		}},
		{"ocr", func(cfg *config.Config) error {
			_, err := LoadOCRConfig(cfg)
			return err
		}},
		{"reports", func(cfg *config.Config) error {
			_, err := reports.ParseConfig(&cfg.Reports, ReportsDir(cfg))
			return err
		}},
	}
}

// ReportsDir is where the report role writes: web.reports_dir, which the UI lists,
// unless reports.output_dir says otherwise.
func ReportsDir(cfg *config.Config) string {
	if wc, err := web.LoadConfig(&cfg.Web, cfg.DataDir); err == nil {
		return wc.ReportsDir
	}
	return filepath.Join(cfg.DataDir, "reports")
}

// CheckConfig decodes and validates every section of Sections and returns every
// problem found as config.Problems (key path and line).
func CheckConfig(cfg *config.Config) error {
	var ps config.Problems
	for _, s := range Sections() {
		if err := s.Check(cfg); err != nil {
			ps = append(ps, config.Locate(err, s.Path, cfg.KeyLines)...)
		}
	}
	return ps.Err()
}

// LoadConfig loads a configuration file (config.Load) and checks every section
// (CheckConfig): what every kuzot command runs at start. Problems name the file, line
// and key path.
func LoadConfig(path string) (*config.Config, error) {
	cfg, err := config.LoadPartial(path)
	if cfg == nil {
		return nil, err
	}
	var ps config.Problems
	if err != nil && !errors.As(err, &ps) {
		return nil, err
	}
	ps = append(ps, config.ProblemsOf(CheckConfig(cfg), "", 0)...)
	if path != "" {
		ps = ps.InFile(path)
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}
