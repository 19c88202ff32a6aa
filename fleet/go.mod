module github.com/glrunners/glrunners/fleet

go 1.25.0

replace github.com/glrunners/glrunners => ../

// go.yaml.in/yaml/v3 is kept at the version the root module already
// downloads (testify needs it), so README's docs test, run from the root
// module, builds runnerfleet offline.
require (
	github.com/glrunners/glrunners v0.0.0-00010101000000-000000000000
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5
)

require (
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.8 // indirect
	golang.org/x/time v0.15.0 // indirect
)
