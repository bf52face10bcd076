package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/go-applinks/applinks/internal/redact"
)

// certExpiryWarning is how close to its expiry a certificate draws a
// warning: 14 days, or a third of its lifetime for short-lived certificates
// (which are renewed when a third is left).
const certExpiryWarning = 14 * 24 * time.Hour

// maxAnswer caps how much of a response body a check reads.
const maxAnswer = 64 << 10

// networkChecks resolves and connects to the RPC URL's host (or the proxy
// the service's client uses for it), then checks its TLS certificate.
func (d *diagnosis) networkChecks(ctx context.Context) []Check {
	rpc := d.rpc
	host, port := rpc.Hostname(), rpc.Port()
	if port == "" {
		port = "80"
		if rpc.Scheme == "https" {
			port = "443"
		}
	}
	via := ""
	if p := d.proxyFor(); p != nil {
		via = " (the HTTP proxy " + redact.URL(p) + " the service's client uses for " + rpc.Host + ")"
		host, port = p.Hostname(), p.Port()
		if port == "" {
			port = "80"
			if p.Scheme == "https" {
				port = "443"
			}
		}
	}
	dns := d.dnsCheck(ctx, host, via)
	if dns.Status == StatusFail {
		return []Check{dns, skip(checkTCP, CategoryNetwork, "not checked: the host name does not resolve"),
			skip(checkTLS, CategoryTLS, "not checked: the host name does not resolve")}
	}
	tcp := d.tcpCheck(ctx, host, port, via)
	if tcp.Status == StatusFail {
		return []Check{dns, tcp, skip(checkTLS, CategoryTLS, "not checked: no TCP connection")}
	}
	return []Check{dns, tcp, d.tlsCheck(ctx)}
}

func skip(name string, cat Category, summary string) Check {
	return Check{Name: name, Category: cat, Status: StatusSkip, Summary: summary}
}

// transport returns the service client's transport when it is an
// *http.Transport.
func (d *diagnosis) transport() *http.Transport {
	rt := d.seam.Client.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	t, _ := rt.(*http.Transport)
	return t
}

// proxyFor returns the proxy the service's client sends requests for the
// RPC URL through, or nil.
func (d *diagnosis) proxyFor() *url.URL {
	t := d.transport()
	if t == nil || t.Proxy == nil {
		return nil
	}
	req := &http.Request{Method: http.MethodGet, URL: d.rpc, Header: http.Header{}, Host: d.rpc.Host}
	p, err := t.Proxy(req)
	if err != nil || p == nil || p.Host == "" {
		return nil
	}
	return p
}

// dnsCheck resolves host.
func (d *diagnosis) dnsCheck(ctx context.Context, host, via string) Check {
	c := Check{Name: checkDNS, Category: CategoryNetwork}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		c.Status, c.Summary = StatusPass, host+" is an IP address: nothing to resolve"+via
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, host)
	if err != nil {
		c.Status = StatusFail
		c.Evidence = []string{"lookup " + host + ": " + err.Error()}
		var dnsErr *net.DNSError
		switch {
		case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
			c.Summary = "unknown host: " + host + " does not resolve" + via
		case errors.As(err, &dnsErr) && dnsErr.IsTimeout:
			c.Summary = "DNS lookup of " + host + " timed out" + via
		default:
			c.Summary = "DNS lookup of " + host + " failed" + via
		}
		c.Fix = fmt.Sprintf("Check the host name in the link's rpcUrl (%s) and this machine's DNS (resolv.conf, VPN); use the name the remote is reachable at from here.", redact.URL(d.rpc))
		return c
	}
	c.Status = StatusPass
	c.Summary = host + " resolves to " + strings.Join(addrs, ", ") + via
	return c
}

// tcpCheck connects to host:port, with the service client's dialer when it
// has one.
func (d *diagnosis) tcpCheck(ctx context.Context, host, port, via string) Check {
	c := Check{Name: checkTCP, Category: CategoryNetwork}
	addr := net.JoinHostPort(strings.Trim(host, "[]"), port)
	dial := (&net.Dialer{}).DialContext
	if t := d.transport(); t != nil && t.DialContext != nil {
		dial = t.DialContext
	}
	ctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	start := time.Now()
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		c.Status = StatusFail
		c.Evidence = []string{err.Error()}
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			c.Summary = "connection refused by " + addr + via
			c.Fix = fmt.Sprintf("Nothing listens on %s: check that the remote is running and that the port in the link's rpcUrl (%s) is the one it serves on.", addr, redact.URL(d.rpc))
		case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
			c.Summary = "no route to " + addr + via
			c.Fix = "This machine cannot reach " + addr + ": check the network, VPN and firewall between the two ends."
		case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
			c.Summary = "connecting to " + addr + " timed out" + via
			c.Fix = "A firewall may drop the packets: open " + addr + " from this machine, or check the host and port in the link's rpcUrl."
		default:
			c.Summary = "cannot connect to " + addr + via
			c.Fix = fmt.Sprintf("Check the host and port in the link's rpcUrl (%s) and that the remote is up.", redact.URL(d.rpc))
		}
		return c
	}
	_ = conn.Close()
	c.Status = StatusPass
	c.Summary = fmt.Sprintf("connected to %s in %s%s", addr, elapsed(time.Since(start)), via)
	return c
}

// elapsed formats a short duration for a person: "under 1ms", "3ms".
func elapsed(d time.Duration) string {
	if d < time.Millisecond {
		return "under 1ms"
	}
	return d.Round(time.Millisecond).String()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// tlsCheck fetches the RPC URL over HTTPS through the service's client and
// names what is wrong with the certificate, if anything.
func (d *diagnosis) tlsCheck(ctx context.Context) Check {
	c := Check{Name: checkTLS, Category: CategoryTLS}
	rpc := d.rpc
	if rpc.Scheme != "https" {
		c.Status, c.Summary = StatusSkip, "not checked: the link's rpcUrl "+redact.URL(rpc)+" is plain HTTP"
		return c
	}
	ans, err := d.fetch(ctx, http.MethodGet, "", nil)
	if err != nil {
		return d.tlsFailure(err)
	}
	c.Status = StatusPass
	c.Summary = "the certificate is trusted and names " + rpc.Hostname()
	if ans.tls != nil && len(ans.tls.PeerCertificates) > 0 {
		leaf := ans.tls.PeerCertificates[0]
		c.Summary = fmt.Sprintf("%s, certificate for %q trusted, valid until %s", tls.VersionName(ans.tls.Version),
			leaf.Subject.CommonName, leaf.NotAfter.UTC().Format(time.DateOnly))
		c.Evidence = []string{fmt.Sprintf("subject %q, issuer %q, names %s", leaf.Subject.String(), leaf.Issuer.String(), certNames(leaf))}
		warnAt := min(certExpiryWarning, leaf.NotAfter.Sub(leaf.NotBefore)/3)
		if left := leaf.NotAfter.Sub(d.seam.Now()); left < warnAt {
			c.Status = StatusWarn
			c.Summary = fmt.Sprintf("the certificate for %q expires on %s", leaf.Subject.CommonName, leaf.NotAfter.UTC().Format(time.DateOnly))
			c.Fix = "Renew the remote's certificate before it expires: requests will then fail with a TLS error."
		}
	}
	return c
}

// tlsFailure classifies an error of the HTTPS request of the TLS check.
func (d *diagnosis) tlsFailure(err error) Check {
	c := Check{Name: checkTLS, Category: CategoryTLS, Status: StatusFail, Evidence: []string{err.Error()}}
	host := d.rpc.Hostname()
	var (
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		verifyEr *tls.CertificateVerificationError
		recErr   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &unknown):
		c.Summary = "untrusted certificate (x509.UnknownAuthorityError): it is signed by an authority this machine does not trust"
		if unknown.Cert != nil {
			c.Evidence = append(c.Evidence, fmt.Sprintf("certificate %q issued by %q", unknown.Cert.Subject.String(), unknown.Cert.Issuer.String()))
		}
		c.Fix = "Add the remote's CA certificate to this machine's trust store (or SSL_CERT_FILE), or give the Service an HTTP client whose TLS config trusts it (applink.WithHTTPClient)."
	case errors.As(err, &hostErr):
		names := ""
		if hostErr.Certificate != nil {
			names = certNames(hostErr.Certificate)
		}
		c.Summary = fmt.Sprintf("hostname mismatch (x509.HostnameError): the certificate names %s, not %s", names, host)
		c.Fix = fmt.Sprintf("Use a host name the certificate names in the link's rpcUrl, or have the certificate reissued with %s among its subject alternative names.", host)
	case errors.As(err, &invalid):
		c.Summary = "invalid certificate (x509.CertificateInvalidError): " + invalid.Error()
		c.Fix = "Renew the remote's certificate (or correct this machine's clock if the dates look wrong)."
	case errors.As(err, &verifyEr):
		c.Summary = "the certificate does not verify: " + verifyEr.Err.Error()
		c.Fix = "Fix the remote's certificate chain, or trust its CA on this machine."
	case errors.As(err, &recErr):
		c.Summary = "the remote does not speak TLS on " + d.rpc.Host
		c.Fix = "The port may serve plain HTTP: use http:// in the link's rpcUrl, or the port the remote serves HTTPS on."
	default:
		c.Category = CategoryNetwork
		c.Summary = "the HTTPS request failed: " + firstLine(err.Error())
		c.Fix = "Check that the remote serves HTTPS at the link's rpcUrl (" + redact.URL(d.rpc) + ")."
	}
	return c
}

// certNames lists the names a certificate is valid for.
func certNames(cert *x509.Certificate) string {
	var names []string
	names = append(names, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && cert.Subject.CommonName != "" {
		names = append(names, cert.Subject.CommonName)
	}
	if len(names) == 0 {
		return "no host"
	}
	return strings.Join(names, ", ")
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// answer is a response a check read: its status, headers and the start of
// its body.
type answer struct {
	status int
	header http.Header
	body   []byte
	tls    *tls.ConnectionState
}

// fetch sends an unsigned request for a path under the RPC URL through the
// service's client, once, without following redirects, and notes its Date.
func (d *diagnosis) fetch(ctx context.Context, method, path string, header http.Header) (*answer, error) {
	u, err := d.seam.Resolve(path)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: %s %s: %v", d.link.Name, method, redact.URL(u), err)
	}
	req.URL = u
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", d.seam.UserAgent)
	resp, err := d.seam.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, fmt.Errorf("applink: link %q: %s %s: %w", d.link.Name, method, redact.URL(u), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	d.noteDate(resp.Header, method+" "+redact.URL(u))
	return &answer{status: resp.StatusCode, header: resp.Header, body: body, tls: resp.TLS}, nil
}
