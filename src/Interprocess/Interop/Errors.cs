using System.Runtime.InteropServices;

namespace Interprocess.Interop;

/// <summary>Helpers that turn the "-1 and errno" convention into exceptions and retry EINTR.</summary>
internal static class Errors
{
    /// <summary>The errno of the last P/Invoke made with <c>SetLastError = true</c>.</summary>
    internal static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>True when the last call failed with EINTR and should simply be made again.</summary>
    internal static bool Interrupted => Marshal.GetLastPInvokeError() == (int)Errno.EINTR;

    /// <summary>Throws for a result of -1; returns the result otherwise.</summary>
    internal static int Check(int result, string operation, string? objectName)
    {
        if (result == -1)
        {
            throw InterprocessException.FromLastError(operation, objectName);
        }

        return result;
    }

    /// <summary>Runs <paramref name="call"/> until it does not fail with EINTR, then throws for any other failure.</summary>
    internal static int RetryCheck(Func<int> call, string operation, string? objectName)
    {
        while (true)
        {
            int result = call();
            if (result != -1)
            {
                return result;
            }

            if (!Interrupted)
            {
                throw InterprocessException.FromLastError(operation, objectName);
            }
        }
    }
}
