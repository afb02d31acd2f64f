using Interprocess.Queues;

namespace Interprocess.Tests.Queues;

/// <summary>The queues' copy helper: every length and alignment is copied exactly, through each of its three ways (inline, glibc's memmove, CopyTo).</summary>
public sealed class SmallCopyTests
{
    public static TheoryData<int> Lengths =>
    [
        0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000,
        SmallCopy.BulkMinimum - 1, SmallCopy.BulkMinimum, 4096, 4113, SmallCopy.BulkMaximum, SmallCopy.BulkMaximum + 1, 200_000,
    ];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void EveryLength_AtEveryOffset_IsCopiedExactly_AndNothingAround_IsTouched(int length)
    {
        var random = new Random(length);
        foreach (int offset in new[] { 0, 1, 8, 16, 63 })
        {
            var source = new byte[length + offset];
            random.NextBytes(source);
            var destination = new byte[length + offset + 32];
            random.NextBytes(destination);
            byte[] before = (byte[])destination.Clone();

            SmallCopy.Copy(source.AsSpan(offset, length), destination.AsSpan(offset + 16));

            Assert.Equal(source.AsSpan(offset, length).ToArray(), destination.AsSpan(offset + 16, length).ToArray());
            Assert.Equal(before.AsSpan(0, offset + 16).ToArray(), destination.AsSpan(0, offset + 16).ToArray());
            Assert.Equal(before.AsSpan(offset + 16 + length).ToArray(), destination.AsSpan(offset + 16 + length).ToArray());
        }
    }

    [Theory]
    [InlineData(40)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public void OverlappingRegions_AreCopiedAsIfThroughABuffer(int length)
    {
        var data = new byte[length + 100];
        new Random(7).NextBytes(data);
        byte[] expectedForward = data.AsSpan(0, length).ToArray();
        SmallCopy.Copy(data.AsSpan(0, length), data.AsSpan(37));
        Assert.Equal(expectedForward, data.AsSpan(37, length).ToArray());

        byte[] expectedBackward = data.AsSpan(50, length).ToArray();
        SmallCopy.Copy(data.AsSpan(50, length), data.AsSpan(3));
        Assert.Equal(expectedBackward, data.AsSpan(3, length).ToArray());
    }

    [Theory]
    [InlineData(40)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public void AShortDestination_Throws_AndIsNotWritten(int length)
    {
        var source = new byte[length];
        Array.Fill(source, (byte)1);
        var destination = new byte[length - 1];
        Assert.Throws<ArgumentException>(() => SmallCopy.Copy(source, destination));
        Assert.All(destination, b => Assert.Equal(0, b));
    }
}
