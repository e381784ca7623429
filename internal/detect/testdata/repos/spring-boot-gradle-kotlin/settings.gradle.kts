rootProject.name = "pricing"
