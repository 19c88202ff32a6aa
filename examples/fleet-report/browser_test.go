package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The report is opened in a real browser, headless Chromium: each chart
// must take up room on the page, nothing may be logged to the console
// (a script error, a resource the Content-Security-Policy blocked), and a
// screenshot is kept for a person to look at.
//
// Without Chromium the test is skipped, except under CI=true, where it
// fails: CI installs it (apt-get install chromium). FLEET_REPORT_CHROMIUM
// names another binary; FLEET_REPORT_SCREENSHOT names where to keep the
// screenshot (default: the test's temporary directory).

func findChromium(t *testing.T) string {
	t.Helper()
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	if p := os.Getenv("FLEET_REPORT_CHROMIUM"); p != "" {
		names = []string{p}
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("headless Chromium not found (looked for %v): CI must install it (apt-get install -y chromium)", names)
	}
	t.Skipf("headless Chromium not found (looked for %v): skipping the browser check (it fails under CI=true)", names)
	return ""
}

// selfCheck runs in the page: it records errors and blocked loads as they
// happen, and once the page has loaded it measures every chart and bar and
// writes the result into the DOM, which --dump-dom prints.
const selfCheck = `(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push('error: ' + e.message); });
  document.addEventListener('securitypolicyviolation', function (e) { errors.push('blocked: ' + e.violatedDirective + ' ' + e.blockedURI); });
  window.addEventListener('load', function () {
    var charts = [].map.call(document.querySelectorAll('svg.chart'), function (svg) {
      var r = svg.getBoundingClientRect(), empty = 0, bars = svg.querySelectorAll('rect[data-value]');
      [].forEach.call(bars, function (b) { var br = b.getBoundingClientRect(); if (!(br.width > 0 && br.height > 0)) empty++; });
      return { id: svg.getAttribute('data-chart'), width: r.width, height: r.height, bars: bars.length, emptyBars: empty };
    });
    var out = document.createElement('pre');
    out.id = 'fleet-report-selfcheck';
    out.textContent = JSON.stringify({ charts: charts, errors: errors });
    document.body.appendChild(out);
  });
})();`

// instrument puts selfCheck first in the page and allows exactly that
// script (by its hash) in the report's Content-Security-Policy, which
// otherwise stays as written.
func instrument(t *testing.T, page []byte) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(selfCheck))
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	s := string(page)
	const csp = "default-src 'none';"
	require.Equal(t, 1, strings.Count(s, csp))
	s = strings.Replace(s, csp, csp+" script-src "+hash+";", 1)
	const anchor = `<meta name="viewport"`
	require.Equal(t, 1, strings.Count(s, anchor))
	return []byte(strings.Replace(s, anchor, "<script>"+selfCheck+"</script>\n"+anchor, 1))
}

// chromium runs the browser on a file with extra flags and returns what it
// printed and the console messages it logged.
func chromium(t *testing.T, bin, file string, flags ...string) (stdout string, console []string) {
	t.Helper()
	// A bound in case the browser hangs, not a speed target.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+file)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), "chromium: %s", errOut.String())
	// Chromium logs every console message of the page as INFO:CONSOLE,
	// whatever its level.
	for line := range strings.Lines(errOut.String()) {
		if strings.Contains(line, ":CONSOLE") && strings.Contains(line, "file://") {
			console = append(console, strings.TrimSpace(line))
		}
	}
	return out.String(), console
}

var selfCheckOut = regexp.MustCompile(`(?s)<pre id="fleet-report-selfcheck">(.*?)</pre>`)

func TestReportInBrowser(t *testing.T) {
	t.Parallel()
	bin := findChromium(t)
	_, page, doc := renderTestReport(t)
	file := filepath.Join(t.TempDir(), "report.html")
	require.NoError(t, os.WriteFile(file, instrument(t, page), 0o644))
	shot := os.Getenv("FLEET_REPORT_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "report.png")
	}
	shot, err := filepath.Abs(shot)
	require.NoError(t, err)

	// One browser run does both: starting Chromium is the slow part.
	dom, console := chromium(t, bin, file, "--dump-dom", "--screenshot="+shot, "--window-size=1280,2400")
	assert.Empty(t, console, "console messages")

	m := selfCheckOut.FindStringSubmatch(dom)
	require.NotNil(t, m, "the self-check ran (is the script blocked?); DOM ends: %s", tail(dom, 400))
	var got struct {
		Charts []struct {
			ID            string
			Width, Height float64
			Bars          int
			EmptyBars     int
		}
		Errors []string
	}
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[1])), &got))
	assert.Empty(t, got.Errors)
	require.Len(t, got.Charts, len(chartIDs))
	for i, c := range got.Charts {
		assert.Equal(t, chartIDs[i], c.ID)
		assert.Greater(t, c.Width, 300.0, "%s is drawn wide enough to read", c.ID)
		assert.Greater(t, c.Height, 50.0, c.ID)
		svg := doc.all(withAttr("svg", "data-chart", c.ID))[0]
		assert.Equal(t, len(svg.all(withAttr("rect", "data-value", ""))), c.Bars, c.ID)
		assert.Zero(t, c.EmptyBars, "%s: every bar segment has a size on screen", c.ID)
	}

	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, image.Pt(1280, 2400), img.Bounds().Size())
	assert.Greater(t, colours(img), 20, "the screenshot shows charts, not a blank page")
	t.Logf("screenshot: %s", shot)
}

// colours counts the distinct colours in a sample of the image's pixels.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

func tail(s string, n int) string { return s[max(0, len(s)-n):] }
