package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/go-applinks/applinks/applink/doctor"
	"github.com/go-applinks/applinks/internal/redact"
)

const doctorSynopsis = `--link NAME [--as USER] [--json] [-v] [--timeout DURATION]

Diagnoses a link the way Application Links' link status does: DNS and TCP,
TLS, the remote's manifest and consumer-info, clock skew, a signed probe per
authentication method the link is configured for (3LO with the user's token,
2LOi, 2LO), and for Jenkins the plugin's endpoints, the crumb issuer and the
user's identity. Each check prints on one line (✓ pass, ✗ fail, ! warning,
- skipped), failures with their evidence (redacted) and the fix. Nothing is
changed on either side: a token the remote rejects is not deleted. Each
request and connection a check makes is bounded by --timeout (10s).

Exit status: 0 when no check failed (warnings pass); 1 when one did, or on
any other error; 2 on usage errors.`

const doctorExamples = `  applink doctor --link jira --as alice
  applink doctor --link ci --as alice -v
  applink doctor --link jira --json | jq '.checks[] | select(.status == "fail")'
`

func runDoctor(ctx context.Context, args []string, e *env) int {
	c := newCLI(e)
	defer c.closeAll()
	code, err := c.doctor(ctx, args)
	if err != nil {
		if c.wantsJSON(args) {
			return reportJSON(ctx, e.stderr, err)
		}
		return report(ctx, e.stderr, err)
	}
	return code
}

// doctor diagnoses a link and prints the report; it returns the exit code,
// or an error for anything that kept it from making the report.
func (c *cli) doctor(ctx context.Context, args []string) (int, error) {
	fs := newFlagSet("doctor", doctorSynopsis, doctorExamples, c.stderr)
	config := configFlag(fs)
	linkName := fs.String("link", "", "the link's `NAME` or id (required)")
	user := fs.String("as", "", "probe as `USER` (3LO and 2LOi need one; without, only 2LO is probed)")
	asJSON := c.jsonFlag(fs, "print the report as JSON; an error that keeps the report from being made is one JSON object on standard error")
	verbose := fs.Bool("v", false, "print the evidence of every check, not only of failures")
	timeout := fs.Duration("timeout", 10*time.Second, "bound each check's requests and connections by `DURATION` (e.g. 30s for a slow remote)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return 0, err
	}
	switch {
	case len(pos) != 0:
		return 0, usagef(fs, "unexpected argument %q", pos[0])
	case *linkName == "":
		return 0, usagef(fs, "--link is required")
	case *timeout <= 0:
		return 0, usagef(fs, "--timeout %s: give a positive duration, e.g. 30s", *timeout)
	}
	path, err := configPath(*config, c.getenv)
	if err != nil {
		return 0, err
	}
	l, err := c.lookup(ctx, path, *linkName, c.serviceOptions()...)
	if err != nil {
		return 0, err
	}
	rep, err := doctor.Diagnose(ctx, l, *user, doctor.WithProbeTimeout(*timeout))
	if rep == nil {
		return 0, err
	}
	if *asJSON {
		if err := writeJSON(c.stdout, rep); err != nil {
			return 0, err
		}
	} else {
		printReport(c.stdout, rep, *verbose, useColor(c.stdout, c.getenv))
	}
	if err != nil {
		return 0, err // canceled: the checks made so far are printed
	}
	if !rep.OK() {
		return exitFailure, nil
	}
	return exitOK, nil
}

// ANSI colors.
const (
	ansiGreen  = "\x1b[32m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiReset  = "\x1b[0m"
)

// useColor reports whether w is a terminal (and NO_COLOR is not set).
func useColor(w io.Writer, getenv func(string) string) bool {
	if getenv != nil && getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// maxEvidenceText is how many bytes of one evidence line (an echoed base
// string can be 64 KiB) the text report prints, as errors quote them
// (#15 item 13); --json carries each line whole.
const maxEvidenceText = 512

// printReport prints one line per check, and under failures (every check
// with verbose) the evidence and the fix, indented; warnings get their fix.
func printReport(w io.Writer, rep *doctor.Report, verbose, color bool) {
	who := ""
	if rep.User != "" {
		who = " as " + rep.User
	}
	fmt.Fprintf(w, "link %q (%s)%s\n", rep.Link, rep.LinkID, who)
	width := 0
	for _, c := range rep.Checks {
		width = max(width, len(c.Name))
	}
	failed, warned := 0, 0
	for _, c := range rep.Checks {
		mark, paint := "-", ""
		switch c.Status {
		case doctor.StatusPass:
			mark, paint = "✓", ansiGreen
		case doctor.StatusFail:
			mark, paint = "✗", ansiRed
			failed++
		case doctor.StatusWarn:
			mark, paint = "!", ansiYellow
			warned++
		}
		if color && paint != "" {
			mark = paint + mark + ansiReset
		}
		fmt.Fprintf(w, "%s %-*s  %s\n", mark, width, c.Name, c.Summary)
		if c.Status == doctor.StatusFail || verbose {
			for _, e := range c.Evidence {
				fmt.Fprintf(w, "    %s\n", redact.Shorten(e, maxEvidenceText))
			}
		}
		if c.Fix != "" && (c.Status == doctor.StatusFail || c.Status == doctor.StatusWarn || verbose) {
			fmt.Fprintf(w, "    fix: %s\n", c.Fix)
		}
	}
	tally := "no check failed"
	if failed > 0 {
		tally = plural(failed, "check") + " failed"
	}
	if warned > 0 {
		tally += ", " + plural(warned, "warning")
	}
	fmt.Fprintln(w, tally)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
