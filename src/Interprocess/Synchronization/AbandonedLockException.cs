namespace Interprocess.Synchronization;

/// <summary>
/// Thrown by <c>Lock</c> and <c>TryLock</c> when they acquire a lock whose previous owner died while holding
/// it, in the manner of .NET's <see cref="AbandonedMutexException"/>: <b>the caller now holds the lock</b> and
/// must release it. The data the lock protects may be half-updated. Use the <c>Acquire</c> methods, which
/// return <see cref="LockStatus.AcquiredAbandoned"/>, to handle this case without an exception.
/// </summary>
public sealed class AbandonedLockException : InterprocessException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was abandoned.</param>
    public AbandonedLockException(string message)
        : base(InterprocessErrorCode.OwnerDead, message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">What was abandoned.</param>
    /// <param name="innerException">The cause.</param>
    public AbandonedLockException(string message, Exception? innerException)
        : base(InterprocessErrorCode.OwnerDead, message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public AbandonedLockException()
        : this("The previous owner of the lock died while holding it; the lock is now held by the caller.")
    {
    }
}
