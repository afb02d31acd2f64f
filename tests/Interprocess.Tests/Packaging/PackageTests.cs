using System.IO.Compression;
using System.Xml.Linq;

namespace Interprocess.Tests.Packaging;

/// <summary>
/// The NuGet package: what is in it, and that a fresh console project can install it from a local folder and
/// use it. The install test builds a project from scratch, so it takes tens of seconds.
/// </summary>
public sealed class PackageTests(PackageFixture fixture) : IClassFixture<PackageFixture>
{
    [Fact]
    public void Package_HasTheLibraryDocsReadmeLicenseAndMetadata()
    {
        Assert.True(File.Exists(fixture.Package), fixture.PackOutput);
        Assert.True(File.Exists(Path.ChangeExtension(fixture.Package, ".snupkg")), "no symbol package:\n" + fixture.PackOutput);
        using var zip = ZipFile.OpenRead(fixture.Package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("lib/net10.0/Interprocess.dll", entries);
        Assert.Contains("lib/net10.0/Interprocess.xml", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);

        XDocument nuspec;
        using (var stream = zip.GetEntry("Interprocess.nuspec")!.Open())
        {
            nuspec = XDocument.Load(stream);
        }

        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement metadata = nuspec.Root.Element(ns + "metadata")!;
        string Value(string name) => metadata.Element(ns + name)?.Value ?? "";
        Assert.Equal("Interprocess", Value("id"));
        Assert.Equal(PackageFixture.Version, Value("version"));
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        Assert.Contains("Boost.Interprocess", Value("description"), StringComparison.Ordinal);
        Assert.NotEmpty(Value("authors"));
        Assert.Contains("shared-memory", Value("tags"), StringComparison.Ordinal);
        XElement repository = metadata.Element(ns + "repository")!;
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.StartsWith("https://", repository.Attribute("url")?.Value, StringComparison.Ordinal);
        Assert.Empty(metadata.Element(ns + "dependencies")!.Descendants(ns + "dependency"));   // no package dependencies

        using var readme = new StreamReader(zip.GetEntry("README.md")!.Open());
        Assert.StartsWith("# Interprocess for .NET", readme.ReadLine(), StringComparison.Ordinal);
        Assert.True(zip.GetEntry("lib/net10.0/Interprocess.xml")!.Length > 10_000);   // the XML docs, not an empty file
    }

    [Fact]
    public void Package_InstalledIntoAFreshConsoleProject_Runs()
    {
        string project = Path.Combine(fixture.Root, "consumer");
        Directory.CreateDirectory(project);

        // Only the local folder is a source: the console project needs no other package (the SDK carries the
        // targeting packs), so restore is offline and cannot pick up some other package called Interprocess.
        // A private packages folder keeps the machine's NuGet cache free of this build of the package.
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(fixture.Root, "packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="local" value="{fixture.Feed}" />
              </packageSources>
            </configuration>
            """);
        Run(project, "new", "console", "--name", "Consumer", "--output", ".", "--no-restore");
        Run(project, "add", "package", "Interprocess", "--version", PackageFixture.Version, "--no-restore");
        File.WriteAllText(Path.Combine(project, "Program.cs"), """
            using System.Text;
            using Interprocess;
            using Interprocess.Memory;
            using Interprocess.Streams;
            using Interprocess.Synchronization;

            string name = "ipt-pkg-" + Guid.NewGuid().ToString("N");
            using (var shm = SharedMemoryObject.CreateNew(name, 4096))
            using (var mutex = NamedMutex.CreateNew(name + "-lock"))
            {
                using var region = new MappedRegion(shm);
                mutex.Lock();
                using (var writer = new StreamWriter(new BufferStream(region, 8, 0, 4000, FileAccess.Write)))
                {
                    writer.Write("hello from the package");
                    writer.Flush();
                    region.Write(0, writer.BaseStream.Length);
                }

                mutex.Unlock();
                using var reopened = SharedMemoryObject.OpenExisting(name, AccessMode.ReadOnly);
                using var view = new MappedRegion(reopened, AccessMode.ReadOnly);
                string text = Encoding.UTF8.GetString(view.GetReadOnlySpan(8, (int)view.Read<long>(0)));
                Console.WriteLine($"read back: {text}");
            }

            Console.WriteLine($"removed: {SharedMemoryObject.Remove(name)} {NamedMutex.Remove(name + "-lock")}");
            """);
        Run(project, "build", "-p:UseSharedCompilation=false", "-nodeReuse:false");

        string output = Run(project, Path.Combine(project, "bin", "Debug", "net10.0", "Consumer.dll"));
        Assert.Equal(["read back: hello from the package", "removed: True True"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        string assets = File.ReadAllText(Path.Combine(project, "obj", "project.assets.json"));
        Assert.Contains($"\"Interprocess/{PackageFixture.Version}\"", assets, StringComparison.Ordinal);   // it came from the package, not a project reference
    }

    private static string Run(string project, params string[] args)
    {
        var (code, output) = PackageFixture.Dotnet(project, args);
        Assert.True(code == 0, $"dotnet {string.Join(' ', args)} exited with {code}:\n{output}");
        return output;
    }
}
