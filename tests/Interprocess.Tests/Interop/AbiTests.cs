using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Interprocess.Interop;

namespace Interprocess.Tests.Interop;

/// <summary>
/// Checks every native constant and struct layout declared in <c>src/Interprocess/Interop</c> against the C
/// headers of this machine (STYLE.md, convention 3): the test reads the values from the C# side by reflection,
/// writes a C program with one <c>_Static_assert</c> per value, and compiles it with <c>gcc -fsyntax-only</c>.
/// </summary>
/// <remarks>
/// <para>Discovery is automatic: every top-level type of the <c>Interprocess.Interop</c> namespace is covered —
/// each static field of a static class (constants), each value of an enum, and the size and every field's
/// offset, width and signedness of a struct. A new constant is therefore checked as soon as it is declared.
/// Its C name is its C# name unless <see cref="s_cNames"/> says otherwise; a member with no C counterpart makes
/// gcc fail ("undeclared") unless it is listed in <see cref="s_notNative"/> with the reason.</para>
/// <para>gcc is required, not optional: a missing compiler fails the test rather than skipping it, so an ABI
/// check can never pass by not running (.ci/run installs gcc).</para>
/// </remarks>
public sealed class AbiTests
{
    /// <summary>The namespace whose types hold native constants and layouts.</summary>
    private const string InteropNamespace = "Interprocess.Interop";

    /// <summary>The headers the C program includes; _GNU_SOURCE comes first (F_OFD_*, MFD_*, memfd).</summary>
    private static readonly string[] s_headers =
    [
        "errno.h", "fcntl.h", "sys/mman.h", "sys/stat.h", "sys/ipc.h", "sys/shm.h", "time.h",
        "linux/futex.h", "linux/membarrier.h", "sys/syscall.h", "unistd.h", "stddef.h", "pthread.h", "semaphore.h",
    ];

    /// <summary>The C struct each C# layout type mirrors. A struct in the namespace that is not here fails the test.</summary>
    private static readonly Dictionary<Type, string> s_structNames = new()
    {
        [typeof(Flock)] = "struct flock",
        [typeof(Stat)] = "struct stat",
        [typeof(ShmidDs)] = "struct shmid_ds",
        [typeof(Timespec)] = "struct timespec",
        [typeof(RobustListHead)] = "struct robust_list_head",
    };

    /// <summary>
    /// C# members whose C name differs from the C# name, keyed "Type.Member". For struct fields the value is
    /// the member designator used in <c>offsetof</c>.
    /// </summary>
    private static readonly Dictionary<string, string> s_cNames = new()
    {
        // C# cannot name a nested struct's field with a dot, so shm_perm's fields are flattened.
        ["ShmidDs.shm_perm_key"] = "shm_perm.__key",
        ["ShmidDs.shm_perm_uid"] = "shm_perm.uid",
        ["ShmidDs.shm_perm_gid"] = "shm_perm.gid",
        ["ShmidDs.shm_perm_mode"] = "shm_perm.mode",
        // An identifier starting with '_' would break the C# naming rules.
        ["Libc.SC_PAGESIZE"] = "_SC_PAGESIZE",
        ["Libc.SC_NPROCESSORS_ONLN"] = "_SC_NPROCESSORS_ONLN",
        ["Libc.SizeOfPThreadAttr"] = "sizeof(pthread_attr_t)",
        ["PosixSemaphore.SizeOfSemT"] = "sizeof(sem_t)",
        ["PThread.SizeOfMutex"] = "sizeof(pthread_mutex_t)",
        ["PThread.SizeOfCond"] = "sizeof(pthread_cond_t)",
        ["PThread.SizeOfAttr"] = "sizeof(pthread_mutexattr_t)",
        ["RobustListHead.List"] = "list.next",
        ["RobustListHead.FutexOffset"] = "futex_offset",
        ["RobustListHead.ListOpPending"] = "list_op_pending",
    };

    /// <summary>
    /// Members of the interop namespace that are deliberately not compared with a C value, keyed "Type.Member"
    /// (or "Type" for a whole type), each with the reason. A stale entry fails <see cref="ExceptionList_NamesOnlyExistingMembers"/>.
    /// </summary>
    private static readonly Dictionary<string, string> s_notNative = new()
    {
        ["Mman.MAP_FAILED"] = "a static readonly pointer value ((void*)-1), not an integer constant expression C can assert on",
        ["Libc.Name"] = "the name of the library to bind to, not a value from a header",
        ["FutexWaitResult"] = "the library's own classification of a futex wait's outcome, not a native value",
    };

    [Fact]
    public void EveryConstantAndLayout_MatchesTheCHeaders()
    {
        var (program, count) = GenerateProgram();
        Assert.True(count >= 100, $"Only {count} assertions were generated; reflection found fewer interop members than expected.");

        var (exitCode, output) = CompileSyntaxOnly(program);

        Assert.True(exitCode == 0, $"gcc rejected the ABI check program (exit code {exitCode}). A C# constant or layout in " +
            $"src/Interprocess/Interop/Linux differs from the C headers, or a member has no C counterpart " +
            $"(map it in AbiTests.s_cNames or list it in AbiTests.s_notNative with a reason).\n" +
            $"--- gcc output ---\n{output}\n--- program ---\n{WithLineNumbers(program)}");
    }

    [Fact]
    public void ExceptionList_NamesOnlyExistingMembers()
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in InteropTypes())
        {
            known.Add(type.Name);
            foreach (var member in type.GetMembers(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                known.Add($"{type.Name}.{member.Name}");
            }
        }

        var stale = s_notNative.Keys.Concat(s_cNames.Keys).Where(k => !known.Contains(k)).ToList();
        Assert.True(stale.Count == 0, $"AbiTests lists members that do not exist (remove them): {string.Join(", ", stale)}");
    }

    [Fact]
    public void Generator_WhenAConstantIsWrong_ProgramFailsToCompile()
    {
        // The check itself is checked: the same program with one value changed must be rejected by gcc.
        var (program, _) = GenerateProgram();
        string broken = program.Replace("(O_CREAT) == 64LL", "(O_CREAT) == 65LL", StringComparison.Ordinal);
        Assert.NotEqual(program, broken);

        var (exitCode, output) = CompileSyntaxOnly(broken);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Fcntl.O_CREAT", output, StringComparison.Ordinal);
    }

    /// <summary>The C program, and the number of assertions in it.</summary>
    private static (string Program, int Count) GenerateProgram()
    {
        var sb = new StringBuilder();
        sb.Append("/* Generated by Interprocess.Tests AbiTests: every constant and layout of ").Append(InteropNamespace).Append(". */\n");
        sb.Append("#define _GNU_SOURCE 1\n");
        foreach (string h in s_headers)
        {
            sb.Append("#include <").Append(h).Append(">\n");
        }

        sb.Append("#define IS_SIGNED(expr) ((__typeof__(expr))-1 < 0)\n\n");
        int count = 0;
        foreach (var type in InteropTypes())
        {
            if (s_notNative.ContainsKey(type.Name))
            {
                continue;
            }

            sb.Append("/* ").Append(type.Name).Append(" */\n");
            if (type.IsEnum)
            {
                count += AppendEnum(sb, type);
            }
            else if (type.IsValueType)
            {
                count += AppendStruct(sb, type);
            }
            else if (type.IsAbstract && type.IsSealed)
            {
                count += AppendConstants(sb, type);
            }

            sb.Append('\n');
        }

        return (sb.ToString(), count);
    }

    /// <summary>
    /// The top-level types of the interop namespace that can hold native values: static classes, enums and
    /// structs (compiler-generated types and classes with instances, such as SafeHandles, hold none).
    /// </summary>
    private static IEnumerable<Type> InteropTypes() =>
        typeof(Libc).Assembly.GetTypes()
            .Where(t => t.Namespace == InteropNamespace && !t.IsNested && !t.IsDefined(typeof(CompilerGeneratedAttribute)))
            .Where(t => t.IsEnum || t.IsValueType || (t.IsAbstract && t.IsSealed))
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    private static int AppendConstants(StringBuilder sb, Type type)
    {
        int count = 0;
        var fields = type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(f => !f.IsDefined(typeof(CompilerGeneratedAttribute)))
            .OrderBy(f => f.Name, StringComparer.Ordinal);
        foreach (var field in fields)
        {
            string key = $"{type.Name}.{field.Name}";
            if (s_notNative.ContainsKey(key))
            {
                continue;
            }

            if (!field.IsLiteral)
            {
                // A static readonly (or mutable) field is not a compile-time value; it needs a decision.
                sb.Append("#error \"").Append(key).Append(" is not a const: list it in AbiTests.s_notNative with a reason\"\n");
                continue;
            }

            string cName = s_cNames.GetValueOrDefault(key, field.Name);
            AppendAssert(sb, $"({cName}) == {Literal(field.GetRawConstantValue(), key)}", $"{key}: C# value {Show(field.GetRawConstantValue())} differs from C {cName}");
            ++count;
        }

        return count;
    }

    private static int AppendEnum(StringBuilder sb, Type type)
    {
        int count = 0;
        var underlying = Enum.GetUnderlyingType(type);
        foreach (string name in Enum.GetNames(type).Order(StringComparer.Ordinal))
        {
            string key = $"{type.Name}.{name}";
            if (s_notNative.ContainsKey(key))
            {
                continue;
            }

            object value = Convert.ChangeType(Enum.Parse(type, name), underlying, CultureInfo.InvariantCulture);
            string cName = s_cNames.GetValueOrDefault(key, name);
            AppendAssert(sb, $"({cName}) == {Literal(value, key)}", $"{key}: C# value {Show(value)} differs from C {cName}");
            ++count;
        }

        return count;
    }

    private static int AppendStruct(StringBuilder sb, Type type)
    {
        if (!s_structNames.TryGetValue(type, out string? cStruct))
        {
            sb.Append("#error \"").Append(type.Name).Append(" has no C struct name: add it to AbiTests.s_structNames (or s_notNative with a reason)\"\n");
            return 0;
        }

        int size = Marshal.SizeOf(type);
        Assert.True(size == (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!,
            $"{type.Name}: marshalled size differs from the managed size; an interop struct must be blittable.");
        AppendAssert(sb, $"sizeof({cStruct}) == {size}", $"{type.Name}: C# size {size} differs from sizeof({cStruct})");
        int count = 1;

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => Offset(type, f)))
        {
            string key = $"{type.Name}.{field.Name}";
            if (s_notNative.ContainsKey(key))
            {
                continue;
            }

            string member = s_cNames.GetValueOrDefault(key, field.Name);
            string access = $"(({cStruct} *)0)->{member}";
            int offset = Offset(type, field);
            int width = Marshal.SizeOf(field.FieldType);
            AppendAssert(sb, $"offsetof({cStruct}, {member}) == {offset}", $"{key}: C# offset {offset} differs from offsetof({cStruct}, {member})");
            AppendAssert(sb, $"sizeof({access}) == {width}", $"{key}: C# width {width} ({field.FieldType.Name}) differs from sizeof({cStruct}.{member})");
            count += 2;
            if (IsInteger(field.FieldType, out bool signed))
            {
                AppendAssert(sb, $"IS_SIGNED({access}) == {(signed ? 1 : 0)}",
                    $"{key}: C# {field.FieldType.Name} is {(signed ? "signed" : "unsigned")}, {cStruct}.{member} is not");
                ++count;
            }
        }

        return count;
    }

    /// <summary>A field's offset: the [FieldOffset] of an explicit layout, else what the marshaller computes.</summary>
    private static int Offset(Type type, FieldInfo field) =>
        field.GetCustomAttribute<FieldOffsetAttribute>()?.Value ?? (int)Marshal.OffsetOf(type, field.Name);

    /// <summary>
    /// Whether a field is an integer whose signedness C must match. <c>nint</c> is how the interop structs
    /// spell a pointer (the robust list's entries), whose signedness is no part of the ABI, so it is not one.
    /// </summary>
    private static bool IsInteger(Type t, out bool signed)
    {
        signed = t == typeof(sbyte) || t == typeof(short) || t == typeof(int) || t == typeof(long);
        return signed || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong) || t == typeof(nuint);
    }

    /// <summary>A C literal of the same value: signed values as long long, unsigned as unsigned long long.</summary>
    private static string Literal(object? value, string key) => value switch
    {
        sbyte or short or int or long => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "LL",
        byte or ushort or uint or ulong => Convert.ToUInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "ULL",
        _ => throw new Xunit.Sdk.XunitException($"{key} is a {value?.GetType().Name ?? "null"} constant; only integers are native values " +
            "(list it in AbiTests.s_notNative with a reason if it is not one)."),
    };

    private static string Show(object? value) => value switch
    {
        sbyte or short or int or long => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        _ => "0x" + Convert.ToUInt64(value, CultureInfo.InvariantCulture).ToString("X", CultureInfo.InvariantCulture),
    };

    private static void AppendAssert(StringBuilder sb, string condition, string message) =>
        sb.Append("_Static_assert(").Append(condition).Append(", \"").Append(message).Append("\");\n");

    /// <summary>Runs <c>gcc -fsyntax-only</c> on the program; the exit code and everything gcc printed.</summary>
    private static (int ExitCode, string Output) CompileSyntaxOnly(string program)
    {
        string dir = Directory.CreateTempSubdirectory("ipt-abi-").FullName;
        try
        {
            string source = Path.Combine(dir, "abi_check.c");
            File.WriteAllText(source, program);
            var psi = new ProcessStartInfo("gcc")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { "-std=gnu11", "-fsyntax-only", "-fmax-errors=0", source })
            {
                psi.ArgumentList.Add(arg);
            }

            Process gcc;
            try
            {
                gcc = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new Xunit.Sdk.XunitException($"gcc is needed to check the native ABI and could not be started ({e.Message}); install gcc and libc6-dev (see .ci/run).");
            }

            using (gcc)
            {
                var stderr = gcc.StandardError.ReadToEndAsync();
                string stdout = gcc.StandardOutput.ReadToEnd();
                if (!gcc.WaitForExit(TimeSpan.FromSeconds(60)))
                {
                    gcc.Kill();
                    throw new Xunit.Sdk.XunitException("gcc did not finish within 60 s.");
                }

                return (gcc.ExitCode, stdout + stderr.Result);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string WithLineNumbers(string program) =>
        string.Join('\n', program.Split('\n').Select((line, i) => $"{i + 1,4}: {line}"));
}
