using System.Diagnostics;
using Interprocess.Tests.Infrastructure;

namespace Interprocess.Tests.Queues;

/// <summary>
/// C++ programs using Boost 1.81's message_queue, compiled once per test run with g++ against /usr/include/boost
/// (installed by .ci/run). A missing compiler or missing Boost headers fail the tests that need them; they are
/// never skipped, so the compatibility claim cannot pass by not running.
/// </summary>
internal static class BoostPrograms
{
    /// <summary>
    /// mqtool: create NAME MAX SIZE | send NAME N PRIOMOD [FIRST] | recv NAME N | trysend NAME | layout.
    /// Message i carries the uint32 i followed by (i % 7) bytes of (i &amp; 0xff); its priority is i % PRIOMOD.
    /// recv prints "id priority size" per message (checking the payload), then DONE.
    /// </summary>
    private const string MqTool = """
        #include <boost/interprocess/ipc/message_queue.hpp>
        #include <cstdio>
        #include <cstdlib>
        #include <cstring>
        #include <cstddef>
        #include <iostream>
        #include <string>
        using namespace boost::interprocess;
        typedef ipcdetail::mq_hdr_t<offset_ptr<void> > H;
        typedef ipcdetail::msg_hdr_t<offset_ptr<void> > M;
        int main(int argc, char** argv) {
          std::string cmd = argv[1];
          try {
            if (cmd == "layout") {
              printf("%zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu\n", sizeof(H), sizeof(M),
                offsetof(H,mp_index), offsetof(H,m_max_num_msg), offsetof(H,m_max_msg_size), offsetof(H,m_cur_num_msg),
                offsetof(H,m_mutex), offsetof(H,m_cond_recv), offsetof(H,m_cond_send), offsetof(H,m_cur_first_msg),
                offsetof(H,m_blocked_senders), offsetof(H,m_blocked_receivers), offsetof(M,len), offsetof(M,priority));
              for (int i = 2; i < argc - 1; i += 2)
                printf("%zu\n", (size_t)H::get_mem_size(strtoul(argv[i+1],0,10), strtoul(argv[i],0,10)));
              return 0;
            }
            const char* name = argv[2];
            if (cmd == "create") {
              message_queue q(create_only, name, strtoul(argv[3],0,10), strtoul(argv[4],0,10));
              printf("CREATED\n"); fflush(stdout);
              std::string line; std::getline(std::cin, line);
              return 0;
            }
            message_queue q(open_only, name);
            if (cmd == "send") {
              unsigned n = strtoul(argv[3],0,10), mod = strtoul(argv[4],0,10), first = argc > 5 ? strtoul(argv[5],0,10) : 0;
              printf("OPENED\n"); fflush(stdout);
              for (unsigned i = first; i < first + n; i++) {
                unsigned char buf[16]; memcpy(buf, &i, 4); memset(buf + 4, i & 0xff, i % 7);
                q.send(buf, 4 + i % 7, i % mod);
              }
              printf("SENT\n"); fflush(stdout);
              return 0;
            }
            if (cmd == "recv") {
              unsigned n = strtoul(argv[3],0,10);
              printf("OPENED max=%zu size=%zu\n", (size_t)q.get_max_msg(), (size_t)q.get_max_msg_size()); fflush(stdout);
              std::string buf(q.get_max_msg_size(), '\0');
              for (unsigned k = 0; k < n; k++) {
                message_queue::size_type size; unsigned prio;
                q.receive(&buf[0], buf.size(), size, prio);
                unsigned id = 0; memcpy(&id, buf.data(), 4);
                for (size_t j = 4; j < size; j++) if ((unsigned char)buf[j] != (id & 0xff)) { printf("BADPAYLOAD %u\n", id); return 3; }
                printf("%u %u %zu\n", id, prio, (size_t)size); fflush(stdout);
              }
              printf("DONE\n"); fflush(stdout);
              return 0;
            }
            if (cmd == "count") { printf("%zu\n", (size_t)q.get_num_msg()); return 0; }
          } catch (interprocess_exception& e) {
            printf("EXCEPTION %d %s\n", (int)e.get_error_code(), e.what()); fflush(stdout);
            return 2;
          }
          return 64;
        }
        """;

    private static readonly Lazy<string> s_mqTool = new(() => Compile("mqtool", MqTool), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The path of the compiled mqtool.</summary>
    public static string MqToolPath => s_mqTool.Value;

    /// <summary>Starts mqtool with the arguments given.</summary>
    public static Driver Start(params string[] args) => Driver.StartExecutable(MqToolPath, args);

    /// <summary>Runs mqtool to completion; its exit code and output lines.</summary>
    public static (int ExitCode, List<string> Lines) Run(params string[] args)
    {
        using var d = Start(args);
        var lines = new List<string>();
        while (d.TryReadLine(out var line))
        {
            lines.Add(line);
        }

        return (d.WaitForExit(), lines);
    }

    private static string Compile(string name, string source)
    {
        if (!File.Exists("/usr/include/boost/interprocess/ipc/message_queue.hpp"))
        {
            throw new Xunit.Sdk.XunitException("Boost.Interprocess headers are missing (/usr/include/boost); install libboost1.81-dev (see .ci/run).");
        }

        string dir = Path.Combine(Path.GetTempPath(), "ipt-boost-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string src = Path.Combine(dir, name + ".cpp"), exe = Path.Combine(dir, name);
        File.WriteAllText(src, source);
        var psi = new ProcessStartInfo("g++") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-O2", "-std=c++17", "-o", exe, src, "-lrt", "-pthread" })
        {
            psi.ArgumentList.Add(a);
        }

        Process gxx;
        try
        {
            gxx = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"g++ is needed to build the Boost programs and could not be started ({e.Message}); see .ci/run.");
        }

        using (gxx)
        {
            var err = gxx.StandardError.ReadToEndAsync();
            gxx.StandardOutput.ReadToEnd();
            if (!gxx.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                gxx.Kill();
                throw new Xunit.Sdk.XunitException("g++ did not finish within 3 minutes.");
            }

            if (gxx.ExitCode != 0)
            {
                throw new Xunit.Sdk.XunitException($"g++ failed to build {name}:\n{err.Result}");
            }
        }

        return exe;
    }
}
