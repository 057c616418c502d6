package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium means no headless Chromium was found to print PDFs.
var ErrNoChromium = errors.New("chromium not found (install the chromium package or set reports.chromium)")

// PDFOptions configure PDF printing.
type PDFOptions struct {
	// Chromium is the browser binary; empty tries /usr/bin/chromium, chromium,
	// chromium-browser and google-chrome on PATH.
	Chromium string
	// Timeout bounds one print (default 60 s).
	Timeout time.Duration
}

// FindChromium resolves the browser binary of opts.
func (o PDFOptions) FindChromium() (string, error) {
	if o.Chromium != "" {
		if p, err := exec.LookPath(o.Chromium); err == nil {
			return p, nil
		}
		return "", fmt.Errorf("%w: %s", ErrNoChromium, o.Chromium)
	}
	for _, c := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// WritePDF prints the report's HTML (the same document as WriteHTML) to A4 PDF with
// headless Chromium. Each call starts a fresh browser with a throw-away profile and no
// background networking; the document loads from a local file and fetches nothing.
func WritePDF(ctx context.Context, w io.Writer, r *Report, opts PDFOptions) error {
	var html bytes.Buffer
	if err := WriteHTML(&html, r); err != nil {
		return err
	}
	pdf, err := PrintHTML(ctx, html.Bytes(), opts)
	if err != nil {
		return err
	}
	_, err = w.Write(pdf)
	return err
}

// PrintHTML prints an HTML document to PDF with headless Chromium.
func PrintHTML(ctx context.Context, html []byte, opts PDFOptions) ([]byte, error) {
	bin, err := opts.FindChromium()
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	dir, err := os.MkdirTemp("", "kuzot-pdf-")
	if err != nil {
		return nil, fmt.Errorf("reports: pdf: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, html, 0o600); err != nil {
		return nil, fmt.Errorf("reports: pdf: %w", err)
	}
	profile := filepath.Join(dir, "profile")
	allocOpts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(profile),
	}
	tctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(tctx, allocOpts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	u := (&url.URL{Scheme: "file", Path: file}).String()
	if err := chromedp.Do(bctx, chromedp.Navigate(u)); err != nil {
		return nil, fmt.Errorf("reports: load report in %s: %w", bin, err)
	}
	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPreferCSSPageSize(),
		chromedp.PDFPrintBackground(),
		chromedp.PDFHeaderTemplate(`<span></span>`),
		chromedp.PDFFooterTemplate(`<div style="font-size:8px;width:100%;text-align:center;color:#666">`+
			`<span class="pageNumber"></span> / <span class="totalPages"></span></div>`),
	))
	if err != nil {
		return nil, fmt.Errorf("reports: print pdf with %s: %w", bin, err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, fmt.Errorf("reports: chromium returned %d bytes that are not a PDF", len(pdf))
	}
	return pdf, nil
}

// Write renders the report in one format.
func Write(ctx context.Context, w io.Writer, r *Report, format string, pdf PDFOptions) error {
	switch format {
	case "html":
		return WriteHTML(w, r)
	case "json":
		return WriteJSON(w, r)
	case "csv":
		return WriteCSV(w, r)
	case "pdf":
		return WritePDF(ctx, w, r, pdf)
	}
	return fmt.Errorf("%w: format %q (known: html, pdf, csv, json)", ErrOptions, format)
}
