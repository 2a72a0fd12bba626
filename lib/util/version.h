/*
 * version - postq's version, in one place for every tool's --version.
 *
 * Each tool answers --version with one line on stdout, "NAME (postq)
 * VERSION" (GNU style: the program, the package it is part of, the
 * release), and exits 0. postq-pflogsumm prints the pflogsumm release it
 * reproduces instead, as pflogsumm does, and may add PQ_VERSION.
 */
#ifndef POSTQ_VERSION_H
#define POSTQ_VERSION_H

#define PQ_VERSION "0.1.0"

#endif
