rootProject.name = "shop"
include("api", "common")
