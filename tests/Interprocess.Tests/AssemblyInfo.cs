using System.Runtime.Versioning;

// The library is tested on Linux (x86-64); see README.md, "Platform support".
[assembly: SupportedOSPlatform("linux")]
