"""Officers' work: accounts, broadcasts, rekap, export, charts, their chat; imports scheduling, messaging, storage."""
