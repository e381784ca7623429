package httpapi

import (
	"embed"
	"net/http"
	"path"

	"github.com/usecapsule/capsule"
)

// swaggerFiles are Swagger UI's assets from the swagger-ui-dist npm package
// (Apache-2.0, see swaggerui/LICENSE), embedded so the UI works offline.
//
//go:embed swaggerui/LICENSE swaggerui/NOTICE swaggerui/swagger-ui.css swaggerui/swagger-ui-bundle.js swaggerui/swagger-ui-bundle.js.LICENSE.txt
var swaggerFiles embed.FS

const swaggerHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Capsule API</title>
<link rel="stylesheet" href="/api/documentation/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/documentation/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({url: "/api/documentation.json", dom_id: "#swagger-ui", deepLinking: true});
</script>
</body>
</html>
`

func swaggerIndex(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(swaggerHTML))
	return nil
}

var swaggerTypes = map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".txt": "text/plain; charset=utf-8", "": "text/plain; charset=utf-8"}

func swaggerAsset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	b, err := swaggerFiles.ReadFile("swaggerui/" + name)
	if err != nil {
		return capsule.Errorf(capsule.KindNotFound, capsule.CodeNotFound, "no documentation asset %q", name)
	}
	w.Header().Set("Content-Type", swaggerTypes[path.Ext(name)])
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
	return nil
}
