fn main() {} // placeholder written by the lead so the workspace parses; replace freely
