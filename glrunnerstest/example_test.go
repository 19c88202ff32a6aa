package glrunnerstest_test

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/glrunners/glrunners/glrunnerstest"
)

func ExampleNewServer() {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	srv.AddRunner(glrunnerstest.Runner{Description: "build-1", Status: "online"})

	req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/api/v4/runners", nil)
	req.Header.Set("PRIVATE-TOKEN", srv.AdminToken())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var runners []struct {
		Description string `json:"description"`
		Status      string `json:"status"`
	}
	if err := json.NewDecoder(res.Body).Decode(&runners); err != nil {
		panic(err)
	}
	for _, r := range runners {
		fmt.Println(r.Description, r.Status)
	}
	fmt.Println(res.StatusCode, res.Header.Get("X-Total"))
	// Output:
	// build-1 online
	// 200 1
}
