"""Writes a copy of libonnxruntime.so whose every `cpuid` instruction traps, plus the list of the patched sites.

    patch_cpuid.py LIBRARY OUT.so      (writes OUT.so and OUT.so.cpuid-sites)

The sites come from disassembling the executable sections with `objdump -d`, not from searching the bytes 0F A2: those
bytes also occur inside other instructions (immediates, displacements) and must stay as they are. Each 2-byte `cpuid`
(0F A2) becomes `ud2` (0F 0B), which raises SIGILL with RIP at the site; ortrun's --mask-cpuid handler checks that RIP is
one of the listed sites, runs the real CPUID, clears the features the mask hides and steps over the 2 bytes. The list
file holds one virtual address (hex, relative to the library's load base) per line, in ascending order.
"""
import re
import struct
import subprocess
import sys


def load_segments(data):
    """(file offset, virtual address, file size) of each PT_LOAD segment of a 64-bit little-endian ELF."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("patch_cpuid: not a 64-bit little-endian ELF file")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segments = []
    for i in range(phnum):
        kind, _, offset, vaddr, _, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if kind == 1:
            segments.append((offset, vaddr, filesz))
    return segments


def file_offset(segments, vaddr):
    for offset, start, size in segments:
        if start <= vaddr < start + size:
            return offset + vaddr - start
    sys.exit(f"patch_cpuid: address {vaddr:#x} lies in no loaded segment")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    library, out = sys.argv[1], sys.argv[2]
    with open(library, "rb") as f:
        data = bytearray(f.read())
    segments = load_segments(data)
    listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", library], check=True, capture_output=True,
                             text=True).stdout
    sites = sorted({int(m.group(1), 16) for m in re.finditer(r"^\s*([0-9a-f]+):\s+cpuid\s*$", listing, re.M)})
    if not sites:
        sys.exit("patch_cpuid: objdump found no cpuid instruction")
    for site in sites:
        at = file_offset(segments, site)
        if data[at:at + 2] != b"\x0f\xa2":
            sys.exit(f"patch_cpuid: the bytes at {site:#x} are not 0F A2")
        data[at:at + 2] = b"\x0f\x0b"
    with open(out, "wb") as f:
        f.write(data)
    with open(out + ".cpuid-sites", "w") as f:
        f.writelines(f"{site:x}\n" for site in sites)
    raw = bytes(data).count(b"\x0f\xa2")
    print(f"patch_cpuid: {len(sites)} cpuid instructions patched to ud2 "
          f"({raw} other 0F A2 byte pairs left as they are)")


if __name__ == "__main__":
    main()
