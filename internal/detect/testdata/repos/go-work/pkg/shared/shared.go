package shared

// Version of the platform.
const Version = "1.0"
