package main

import (
	"context"
	"io"
)

// cli is what the subcommands keygen, link, authorize, request, sign and
// tokens share: the standard streams, the environment, and the browser opener
// tests replace.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// openBrowser opens a URL in the person's browser; nil means the
	// platform's opener (xdg-open, open, rundll32).
	openBrowser func(ctx context.Context, url string) error
}

func newCLI(e *env) *cli {
	return &cli{stdin: e.stdin, stdout: e.stdout, stderr: e.stderr, getenv: e.getenv}
}

// runCLI runs a subcommand that returns an error and reports the error on
// stderr as one line, returning the exit code.
func runCLI(ctx context.Context, args []string, e *env, f func(*cli, context.Context, []string) error) int {
	return report(ctx, e.stderr, f(newCLI(e), ctx, args))
}

func runKeygen(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).keygen)
}

func runLink(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).link)
}

func runSign(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).sign)
}

func runAuthorize(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).authorize)
}

func runRequest(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).request)
}

func runTokens(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).tokens)
}
