package applinktest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ServerKey returns the public half of the server's own RSA key pair, as
// consumer-info publishes it (made on first use, one per server).
func (s *Server) ServerKey() (*rsa.PublicKey, error) {
	k, err := s.serverKey()
	if err != nil {
		return nil, err
	}
	return &k.PublicKey, nil
}

func (s *Server) serverKey() (*rsa.PrivateKey, error) {
	s.keyOnce.Do(func() {
		s.key, s.keyErr = rsa.GenerateKey(rand.Reader, 2048)
		if s.keyErr != nil {
			s.keyErr = fmt.Errorf("applinktest: generating the server's key pair: %w", s.keyErr)
		}
	})
	return s.key, s.keyErr
}

// ConsumerKey returns the consumer key the server publishes as its own in
// consumer-info.
func (s *Server) ConsumerKey() string { return "applinktest:" + s.id[:8] }

// serveConsumerInfo answers GET /plugins/servlet/oauth/consumer-info.
func (s *Server) serveConsumerInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "applinktest: consumer-info takes GET", http.StatusMethodNotAllowed)
		return
	}
	k, err := s.serverKey()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		http.Error(w, "applinktest: encoding the public key: "+err.Error(), http.StatusInternalServerError)
		return
	}
	info := struct {
		XMLName     xml.Name `xml:"consumer"`
		Key         string   `xml:"key"`
		Name        string   `xml:"name"`
		PublicKey   string   `xml:"publicKey"`
		Description string   `xml:"description"`
	}{
		Key: s.ConsumerKey(), Name: "applinktest Jira", PublicKey: base64.StdEncoding.EncodeToString(der),
		Description: "Atlassian-shaped test provider (applinktest)",
	}
	writeXML(w, http.StatusOK, info)
}

// authTypes are the authentication provider classes the manifest lists.
func authTypes() []string {
	return []string{
		"com.atlassian.applinks.api.auth.types.BasicAuthenticationProvider",
		"com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider",
		"com.atlassian.applinks.api.auth.types.TwoLeggedOAuthAuthenticationProvider",
		"com.atlassian.applinks.api.auth.types.TwoLeggedOAuthWithImpersonationAuthenticationProvider",
	}
}

// manifest is the applinks manifest, in XML and JSON.
type manifest struct {
	XMLName         xml.Name `xml:"manifest" json:"-"`
	ID              string   `xml:"id" json:"id"`
	Name            string   `xml:"name" json:"name"`
	TypeID          string   `xml:"typeId" json:"typeId"`
	Version         string   `xml:"version" json:"version"`
	BuildNumber     int      `xml:"buildNumber" json:"buildNumber"`
	ApplinksVersion string   `xml:"applinksVersion" json:"applinksVersion"`
	Inbound         []string `xml:"inboundAuthenticationTypes" json:"inboundAuthenticationTypes"`
	Outbound        []string `xml:"outboundAuthenticationTypes" json:"outboundAuthenticationTypes"`
	PublicSignup    bool     `xml:"publicSignup" json:"publicSignup"`
	URL             string   `xml:"url" json:"url"`
	IconURL         string   `xml:"iconUrl" json:"iconUrl"`
}

// serveManifest answers GET /rest/applinks/1.0/manifest: XML, or JSON when
// the client accepts application/json.
func (s *Server) serveManifest(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "applinktest: the manifest takes GET", http.StatusMethodNotAllowed)
		return
	}
	m := manifest{
		ID: s.id, Name: "applinktest Jira", TypeID: "jira", Version: "9.12.0", BuildNumber: 9120000,
		ApplinksVersion: "9.0.0", Inbound: authTypes(), Outbound: authTypes(),
		URL: s.base.String(), IconURL: s.baseLink("/images/64jira.png"),
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusOK, m)
		return
	}
	writeXML(w, http.StatusOK, m)
}

// jiraUser is Jira's user as /rest/api/2/myself gives it.
type jiraUser struct {
	Self         string `json:"self"`
	Key          string `json:"key"`
	Name         string `json:"name"`
	EmailAddress string `json:"emailAddress"`
	DisplayName  string `json:"displayName"`
	Active       bool   `json:"active"`
	Deleted      bool   `json:"deleted"`
	TimeZone     string `json:"timeZone"`
	Locale       string `json:"locale"`
}

// jiraUnauthenticated is Jira's answer to an anonymous request that needs a
// user.
func jiraUnauthenticated() map[string]any {
	return map[string]any{
		"errorMessages": []string{"You are not authenticated. Authentication required to perform this operation."},
		"errors":        map[string]string{},
	}
}

// serveMyself answers GET /rest/api/2/myself with the authenticated user.
func (s *Server) serveMyself(w http.ResponseWriter, r *http.Request) {
	u := User(r)
	if u == "" {
		writeJSON(w, http.StatusUnauthorized, jiraUnauthenticated())
		return
	}
	writeJSON(w, http.StatusOK, jiraUser{
		Self: s.baseLink("/rest/api/2/user?username=" + url.QueryEscape(u)), Key: u, Name: u,
		EmailAddress: u + "@example.com", DisplayName: displayName(u), Active: true,
		TimeZone: "UTC", Locale: "en_US",
	})
}

// serveCreateIssue answers POST /rest/api/2/issue: it echoes the JSON body
// with fields.reporter set to the user, and a new key.
func (s *Server) serveCreateIssue(w http.ResponseWriter, r *http.Request) {
	u := User(r)
	if u == "" {
		writeJSON(w, http.StatusUnauthorized, jiraUnauthenticated())
		return
	}
	var issue map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&issue); err != nil || issue == nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"errorMessages": []string{"Can not deserialize the request body: want a JSON object"},
			"errors":        map[string]string{},
		})
		return
	}
	fields, _ := issue["fields"].(map[string]any)
	if fields == nil {
		fields = map[string]any{}
	}
	fields["reporter"] = map[string]any{"name": u}
	issue["fields"] = fields
	s.mu.Lock()
	s.issueSeq++
	n := s.issueSeq
	s.mu.Unlock()
	id := strconv.Itoa(10000 + n)
	issue["id"] = id
	issue["key"] = "TEST-" + strconv.Itoa(n)
	issue["self"] = s.baseLink("/rest/api/2/issue/" + id)
	writeJSON(w, http.StatusCreated, issue)
}

// displayName makes "alice" into "Alice".
func displayName(u string) string {
	r, n := utf8.DecodeRuneInString(u)
	if r == utf8.RuneError {
		return u
	}
	return string(unicode.ToUpper(r)) + u[n:]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "applinktest: encoding JSON: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "applinktest: encoding XML: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}
