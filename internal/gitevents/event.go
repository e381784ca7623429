// Package gitevents turns inbound Git webhook deliveries (GitHub, GitLab,
// Bitbucket Cloud, Gitea) into deploys and pull-request environments.
//
// A delivery is parsed first (the repository it is about names the
// project), then authenticated with that project's webhook secret the way
// its provider signs, de-duplicated by its delivery id, logged, and acted
// on:
//   - a push to a branch an environment tracks (Environment.Branch) deploys
//     every service of the project there, each service's prebuilt image
//     (source.image) with its tag replaced by the commit (see Tag);
//   - a pull request opened, reopened or updated creates (or refreshes) the
//     environment pr-N of kind preview in namespace <project-slug>-pr-N on
//     the cluster of the environment tracking the pull request's base
//     branch, and deploys the head commit there; closed or merged removes
//     the namespace through the cluster's write credential and then the
//     environment record (its deployment records go with it);
//   - anything else (tags, branch deletions, untracked branches, other
//     events) is logged as ignored with the reason.
//
// Every change commits with an audit entry whose actor is system
// "webhook:<provider>". In-cluster image builds are not started here: a
// service without source.image is skipped with that reason.
package gitevents

import (
	capsule "github.com/usecapsule/capsule"
)

// Event kinds, the same for every provider.
const (
	KindPush        = "push"
	KindPullRequest = "pull_request"
	KindPing        = "ping"
	KindOther       = "other"
)

// Pull request actions, the same for every provider.
const (
	PROpen   = "open"   // opened or reopened
	PRUpdate = "update" // new commits on the head branch
	PRClose  = "close"  // closed, merged or declined
	PROther  = "other"  // labels, titles, reviews...
)

// Event is a delivery's payload reduced to what Capsule acts on.
type Event struct {
	Kind string
	// Repositories are the URLs the payload gives for its repository
	// (clone, SSH and web): any of them may be the one a project names.
	Repositories []string
	Pushes       []Push
	PullRequest  *PullRequest
}

// Push is one updated ref.
type Push struct {
	Ref     string // refs/heads/main, refs/tags/v1
	Branch  string // main; empty for a tag
	Tag     bool
	Deleted bool
	Commit  capsule.Commit
}

// PullRequest is a pull (merge) request event.
type PullRequest struct {
	Number     int
	Action     string // PROpen, PRUpdate, PRClose or PROther
	RawAction  string // as the provider named it
	HeadBranch string
	BaseBranch string
	Commit     capsule.Commit // the head commit (Message and Author when the provider sends them)
	Merged     bool
}
