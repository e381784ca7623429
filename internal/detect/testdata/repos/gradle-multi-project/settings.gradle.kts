rootProject.name = "bank"

include(":accounts-service", ":common")
