plugins {
    java
}

allprojects {
    repositories { mavenCentral() }
}
