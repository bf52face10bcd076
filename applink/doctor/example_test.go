package doctor_test

import (
	"context"
	"fmt"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/doctor"
	"github.com/go-applinks/applinks/signer"
)

// A link whose remote does not allow impersonation: the 2LOi probe fails
// with the authentication-level mismatch, and says where to tick the box.
func ExampleDiagnose() {
	key, err := signer.GenerateKey(2048)
	if err != nil {
		panic(err)
	}
	srv, err := applinktest.Start(applinktest.WithUsers("alice", "bot"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "my-app", PublicKey: &key.PublicKey, TwoLO: true, TwoLOUser: "bot"}))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	link := applink.Link{ID: "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", Name: "applinktest Jira", Type: applink.TypeJira, RPCURL: srv.URL,
		ConsumerKey: "my-app", Auth: []applink.Auth{applink.Auth2LOi, applink.Auth2LO}, PrivateKey: key}
	svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(srv.Client()))
	if err != nil {
		panic(err)
	}
	l, _ := svc.Link(link.ID)

	rep, err := doctor.Diagnose(context.Background(), l, "alice")
	if err != nil {
		panic(err)
	}
	for _, c := range rep.Checks {
		fmt.Println(c.Status, c.Name)
	}
	fmt.Println("ok:", rep.OK())
	fmt.Println(rep.Check("probe-2loi").Category)
	// Output:
	// pass dns
	// pass tcp
	// skip tls
	// pass manifest
	// pass consumer-info
	// pass clock
	// fail probe-2loi
	// pass probe-2lo
	// ok: false
	// config
}
