package export

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

var hclPos = hcl.Pos{Line: 1, Column: 1}

const hclComment = hclsyntax.TokenComment
