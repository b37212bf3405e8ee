"""Reads and writes named values of a spring-ipc shared-memory region with the standard library only.

Usage: python3 shared_memory.py <region.shm> read <slot>
       python3 shared_memory.py <region.shm> write <slot> <value>
       python3 shared_memory.py <region.shm> trylock <lock>   (prints locked or busy)

The layout is documented in docs/shared-memory-layout.md.
"""
import fcntl
import mmap
import os
import struct
import sys

MAGIC = b"SIPC-SHM"
LAYOUT_VERSION = 1
# magic, layout version, header size, region size, slot capacity, entry size, data offset, slot count
HEADER = struct.Struct("<8sIIQIIII")
# type, name length, flags, data offset, length, data bytes, reserved, name
ENTRY = struct.Struct("<HHIIIII40s")
VALUE_FORMATS = {1: "<q", 2: "<i", 3: "<d"}  # LONG, INT, DOUBLE
ARRAY_FORMATS = {4: "<q", 5: "<i", 6: "<d"}  # LONG_ARRAY, INT_ARRAY, DOUBLE_ARRAY


def open_region(path):
    fd = os.open(path, os.O_RDWR)
    try:
        return mmap.mmap(fd, 0)  # plain mmap of the file: nothing unlinks it when Python exits
    finally:
        os.close(fd)


def find_slot(region, name):
    """Returns (type, data offset, length) of the slot called name."""
    return find_entry(region, name)[1:]


def find_entry(region, name):
    """Returns (entry index, type, data offset, length) of the slot called name."""
    magic, version, header_size, size, capacity, entry_size, data_offset, count = HEADER.unpack_from(region, 0)
    if magic != MAGIC or version != LAYOUT_VERSION or size != len(region):
        raise ValueError("not a spring-ipc shared-memory region of layout version 1")
    for i in range(count):
        slot_type, name_length, flags, offset, length, data_bytes, _, raw = \
            ENTRY.unpack_from(region, header_size + i * entry_size)
        if raw[:name_length].decode("utf-8") == name:
            return i, slot_type, offset, length
    raise KeyError(name)


def try_lock(region_path, region, name):
    """Tries the named lock (byte 16 + entry index of the lock file) without waiting."""
    index = find_entry(region, name)[0]
    with open(region_path + ".lock", "r+b") as lock_file:
        try:
            fcntl.lockf(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 16 + index)
        except OSError:
            return False
        fcntl.lockf(lock_file, fcntl.LOCK_UN, 1, 16 + index)
        return True


def read_value(region, name, index=0):
    slot_type, offset, length = find_slot(region, name)
    fmt = VALUE_FORMATS.get(slot_type) or ARRAY_FORMATS[slot_type]
    return struct.unpack_from(fmt, region, offset + index * struct.calcsize(fmt))[0]


def write_value(region, name, value, index=0):
    # one aligned store: never torn, but not atomic against concurrent updates (no CAS in Python)
    slot_type, offset, length = find_slot(region, name)
    fmt = VALUE_FORMATS.get(slot_type) or ARRAY_FORMATS[slot_type]
    struct.pack_into(fmt, region, offset + index * struct.calcsize(fmt), value)


if __name__ == "__main__":
    region = open_region(sys.argv[1])
    command, slot = sys.argv[2], sys.argv[3]
    if command == "trylock":
        print("locked" if try_lock(sys.argv[1], region, slot) else "busy")
    elif command == "read":
        print(read_value(region, slot))
    else:
        slot_type = find_slot(region, slot)[0]
        number = float(sys.argv[4]) if slot_type in (3, 6) else int(sys.argv[4])
        write_value(region, slot, number)
        print("written")
    region.close()
