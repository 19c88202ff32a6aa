package main

// Exit statuses, as documented in usage.
const (
	exitOK          = 0
	exitFailed      = 1 // some changes failed, or apply refused a blocked plan
	exitUsage       = 2 // bad flags or an invalid desired-state file
	exitUnreachable = 3 // GitLab unreachable, or the token refused
	exitPending     = 4 // plan: changes pending
	exitInterrupted = 130
)

const usage = `usage: runnerfleet <command> [flags]

Manages GitLab runners as code: a YAML file lists the runners you want;
runnerfleet shows how GitLab differs and makes it match.

commands:
  import   write a desired-state file from the runners that exist, and take
           them under management (each gets the fleet's marker tags)
  plan     show the drift between the file and GitLab (reads only)
  apply    make GitLab match the file; new runners' tokens go to a sink

environment:
  GITLAB_URL     GitLab's base URL, e.g. https://gitlab.example.com
  GITLAB_TOKEN   a personal access token with the api scope

exit status:
  0    done; for plan: no changes
  1    some changes failed, or apply was stopped (a plan with a blocked
       replacement or delete: rerun with -allow-replace or -prune)
  2    usage: bad flags or an invalid desired-state file
  3    GitLab unreachable, or the credentials refused
  4    plan: changes pending
  130  interrupted

Run runnerfleet <command> -h for the command's flags.

The file:

  fleet: prod                 # names this set of runners
  runners:
    build-linux-1:            # the key: stable, lower-case
      project: acme/web/api   # or group: <path or ID>, or instance: true
      description: Linux build runner
      tags: [linux, docker]
      run_untagged: false
      locked: true
      access_level: not_protected   # or ref_protected
      maximum_timeout: 3600         # seconds, at least 600; 0 = no limit
      maintenance_note: "owner: team-web"
      paused: false

Fields left out are not managed. Runners are found by tags runnerfleet
owns (runnerfleet:<fleet>, runnerfleet:<fleet>:key:<key>); runners without
them are never read or changed. Tokens never appear in output, logs or
the file.
`
