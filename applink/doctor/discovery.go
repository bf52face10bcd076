package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// Paths of the remote's discovery resources.
const (
	manifestPath     = "/rest/applinks/1.0/manifest"
	consumerInfoPath = "/plugins/servlet/oauth/consumer-info"
)

// remoteManifest is what the diagnosis reads of an applinks manifest.
type remoteManifest struct {
	ID      string `json:"id" xml:"id"`
	Name    string `json:"name" xml:"name"`
	TypeID  string `json:"typeId" xml:"typeId"`
	Version string `json:"version" xml:"version"`
	URL     string `json:"url" xml:"url"`
}

// parseManifest reads an applinks manifest, JSON or XML (a proxy may drop
// the Accept header).
func parseManifest(body []byte) (*remoteManifest, error) {
	trimmed := bytes.TrimSpace(body)
	var m remoteManifest
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("empty body")
	case trimmed[0] == '{':
		if err := json.Unmarshal(trimmed, &m); err != nil {
			return nil, fmt.Errorf("not a JSON manifest: %v", err)
		}
	case trimmed[0] == '<':
		var x struct {
			XMLName xml.Name
			remoteManifest
		}
		if err := xml.Unmarshal(trimmed, &x); err != nil {
			return nil, fmt.Errorf("not an XML manifest: %v", err)
		}
		if x.XMLName.Local != "manifest" {
			return nil, fmt.Errorf("the XML root is <%s>, not <manifest>", x.XMLName.Local)
		}
		m = x.remoteManifest
	default:
		return nil, errors.New("neither JSON nor XML")
	}
	if m.TypeID == "" && m.ID == "" {
		return nil, errors.New("no id and no typeId: not an applinks manifest")
	}
	return &m, nil
}

// consumerInfo is the remote's own OAuth consumer, as consumer-info
// publishes it.
type consumerInfo struct {
	Key       string `xml:"key"`
	Name      string `xml:"name"`
	PublicKey string `xml:"publicKey"`
}

// parseConsumerInfo reads consumer-info's XML.
func parseConsumerInfo(body []byte) (*consumerInfo, error) {
	var x struct {
		XMLName xml.Name
		consumerInfo
	}
	if err := xml.Unmarshal(bytes.TrimSpace(body), &x); err != nil {
		return nil, fmt.Errorf("not XML: %v", err)
	}
	if x.XMLName.Local != "consumer" {
		return nil, fmt.Errorf("the XML root is <%s>, not <consumer>", x.XMLName.Local)
	}
	if strings.TrimSpace(x.Key) == "" {
		return nil, errors.New("no <key>")
	}
	c := x.consumerInfo
	c.Key, c.Name, c.PublicKey = strings.TrimSpace(c.Key), strings.TrimSpace(c.Name), strings.TrimSpace(c.PublicKey)
	return &c, nil
}

// atlassian reports whether the link's type is an Atlassian product's.
func (d *diagnosis) atlassian() bool {
	t := d.link.Type
	return t != applink.TypeJenkins && t != applink.TypeGeneric
}

// manifestChecks fetches the applinks manifest and compares it with the
// link.
func (d *diagnosis) manifestChecks(ctx context.Context) []Check {
	c := Check{Name: checkManifest, Category: CategoryConfig}
	l := d.link
	ans, err := d.fetch(ctx, http.MethodGet, manifestPath, http.Header{"Accept": {"application/json"}})
	if err != nil {
		c.Category, c.Status = CategoryNetwork, StatusFail
		c.Summary = "GET " + manifestPath + " failed: " + firstLine(err.Error())
		c.Fix = "The remote did not answer: check that it is up and that nothing between here and it drops requests."
		return []Check{c}
	}
	d.statuses[checkManifest] = ans.status
	status := fmt.Sprintf("GET %s: HTTP %d", manifestPath, ans.status)
	c.Evidence = []string{status}
	if ans.status != http.StatusOK {
		switch {
		case l.Type == applink.TypeJenkins:
			c.Status, c.Summary = StatusPass, fmt.Sprintf("no applinks manifest (HTTP %d), as is normal for Jenkins", ans.status)
		case l.Type == applink.TypeGeneric:
			c.Status, c.Summary = StatusSkip, fmt.Sprintf("no applinks manifest (HTTP %d): the remote is not an Atlassian application, as its generic type says", ans.status)
		default:
			c.Status = StatusWarn
			c.Summary = fmt.Sprintf("no applinks manifest (HTTP %d), though the link says the remote is %s", ans.status, l.Type)
			c.Fix = fmt.Sprintf("Check that the link's rpcUrl (%s) is the remote's base URL, context path included (such as /jira), and that the remote is a %s.", redact.URL(d.rpc), l.Type)
		}
		return []Check{c}
	}
	m, err := parseManifest(ans.body)
	if err != nil {
		c.Status, c.Summary = StatusWarn, "the manifest cannot be read: "+err.Error()
		c.Fix = "Something other than an Atlassian application may answer at the link's rpcUrl (a login page, a proxy's error page): check the URL."
		return []Check{c}
	}
	c.Evidence = append(c.Evidence, fmt.Sprintf("id %s, name %q, typeId %q, version %s, url %s", m.ID, m.Name, m.TypeID, m.Version, redact.URLString(m.URL)))
	if mu, err := url.Parse(m.URL); err == nil && mu.Host != "" && signer.Origin(mu.Scheme, mu.Host) != signer.Origin(d.rpc.Scheme, d.rpc.Host) {
		c.Evidence = append(c.Evidence, fmt.Sprintf("the remote's base URL is %s, the link's rpcUrl %s: fine for an internal address, but signatures are checked against the URL the remote sees (see the probes)",
			redact.URL(mu), redact.URL(d.rpc)))
	}
	remoteType, typeErr := applink.ParseType(m.TypeID)
	switch {
	case l.Type == applink.TypeGeneric:
		c.Status, c.Summary = StatusPass, fmt.Sprintf("the remote is %q (%s %s)", m.Name, m.TypeID, m.Version)
	case typeErr != nil || remoteType != l.Type:
		c.Status = StatusWarn
		c.Summary = fmt.Sprintf("type mismatch: the remote is a %q, the link says %s", m.TypeID, l.Type)
		c.Fix = fmt.Sprintf("Check that the link's rpcUrl points at the right application; if it does, make the link's type %s (applink link remove, then link add --type %s).", m.TypeID, m.TypeID)
	case m.Name != "" && !strings.EqualFold(strings.TrimSpace(m.Name), strings.TrimSpace(l.Name)):
		// A link's name is a local label: another name is no fault.
		c.Status = StatusPass
		c.Summary = fmt.Sprintf("the remote is %q (%s %s), a %s as the link says; the link calls it %q", m.Name, m.TypeID, m.Version, l.Type, l.Name)
	default:
		c.Status, c.Summary = StatusPass, fmt.Sprintf("the remote is %q (%s %s)", m.Name, m.TypeID, m.Version)
	}
	return []Check{c}
}

// consumerInfoChecks fetches the remote's consumer-info (not for Jenkins,
// which serves none).
func (d *diagnosis) consumerInfoChecks(ctx context.Context) []Check {
	if d.link.Type == applink.TypeJenkins {
		return nil
	}
	c := Check{Name: checkConsumerInfo, Category: CategoryConfig}
	ans, err := d.fetch(ctx, http.MethodGet, consumerInfoPath, http.Header{"Accept": {"application/xml"}})
	if err != nil {
		c.Category, c.Status = CategoryNetwork, StatusFail
		c.Summary = "GET " + consumerInfoPath + " failed: " + firstLine(err.Error())
		c.Fix = "The remote did not answer: check that it is up and that nothing between here and it drops requests."
		return []Check{c}
	}
	d.statuses[checkConsumerInfo] = ans.status
	c.Evidence = []string{fmt.Sprintf("GET %s: HTTP %d", consumerInfoPath, ans.status)}
	if ans.status != http.StatusOK {
		if !d.atlassian() {
			c.Status, c.Summary = StatusSkip, fmt.Sprintf("no consumer-info (HTTP %d): not an Atlassian application", ans.status)
			return []Check{c}
		}
		c.Status = StatusWarn
		c.Summary = fmt.Sprintf("no consumer-info (HTTP %d): the remote's OAuth plugin does not answer", ans.status)
		c.Fix = "Check that the link's rpcUrl includes the remote's context path and that its OAuth service provider plugin is enabled."
		return []Check{c}
	}
	info, err := parseConsumerInfo(ans.body)
	if err != nil {
		c.Status, c.Summary = StatusWarn, "consumer-info cannot be read: "+err.Error()
		c.Fix = "Something other than an Atlassian application may answer at the link's rpcUrl: check the URL."
		return []Check{c}
	}
	pub := info.PublicKey
	if len(pub) > 24 {
		pub = pub[:24] + "..."
	}
	c.Evidence = append(c.Evidence, fmt.Sprintf("key %q, name %q, public key %s", info.Key, info.Name, pub))
	c.Status = StatusPass
	c.Summary = fmt.Sprintf("the remote is OAuth consumer %q (%s): the key a reciprocal link on this side would use", info.Key, info.Name)
	return []Check{c}
}
