// Package doctor diagnoses a link the way Application Links' link status
// does, and says how to fix what it finds: [Diagnose] returns a [Report] of
// [Check]s, each with its evidence and fix. The applink command's
// "applink doctor" prints one.
//
//	rep, err := doctor.Diagnose(ctx, link, "alice")
//	if err != nil { ... } // misuse, or ctx done
//	for _, c := range rep.Checks {
//		fmt.Println(c.Status, c.Name, c.Summary, c.Fix)
//	}
//
// The doctor uses package applink's exported API, plus one internal seam
// (internal/seam) for what a user has no use for: the service's HTTP
// client, a signed probe sent once that deletes no token, and the OAuth 2.0
// client's endpoints. Package applink does not import it.
//
// # Errors
//
// Diagnose returns an error only for misuse (a nil context, a link not
// obtained from an applink.Service) or when its context is done: every
// finding, a failure of the remote included, is a [Check] of the report.
//
// # Options
//
// Options are [Option]s made by With functions: [WithProbeTimeout].
//
// # Concurrency
//
// Diagnose may be called from several goroutines, on one link or several.
//
// # Security
//
// Evidence is redacted: base strings, URLs and bodies never carry a token
// secret, a verifier, a session handle or a key. The only public key it
// shows is our own (not a secret), for the wrong-key fix.
//
// # Testing
//
// Diagnose runs against package applinktest's provider like against a
// real one; ExampleDiagnose shows a link whose remote refuses impersonation.
package doctor
