"""`builder import`: Word documents through mammoth."""
